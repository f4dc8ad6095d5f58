-- The public archive keeps finished pages in each serve process's memory.
-- Every committed change a sent issue's pages can show bumps
-- archive_version.version and NOTIFYs bulletin_archive, so every process
-- drops its cache at once; processes also poll the version every few
-- seconds in case a notification was missed. The triggers are deferred
-- constraint triggers: the version row is locked only at commit, once per
-- transaction, after every other lock the transaction takes, so they add no
-- lock-order deadlock to the transactions that fire them.
CREATE TABLE archive_version (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL
);
INSERT INTO archive_version (id, version) VALUES (true, 1);

CREATE FUNCTION archive_bump() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction, however many rows changed.
    IF current_setting('bulletin.archive_bumped', true) = txid_current()::text THEN
        RETURN;
    END IF;
    PERFORM set_config('bulletin.archive_bumped', txid_current()::text, true);
    UPDATE archive_version SET version = version + 1;
    PERFORM pg_notify('bulletin_archive', '');
END $$;

CREATE FUNCTION archive_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM archive_bump();
    RETURN NULL;
END $$;

-- Items show on archive pages (as highlights) only when their issue is sent.
CREATE FUNCTION archive_item_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM issues WHERE status = 'sent' AND id IN (
            CASE WHEN TG_OP <> 'INSERT' THEN OLD.issue_id END,
            CASE WHEN TG_OP <> 'DELETE' THEN NEW.issue_id END)) THEN
        PERFORM archive_bump();
    END IF;
    RETURN NULL;
END $$;

-- Issues: sent, unsent (cancelled), or a sent issue's shown columns changed.
-- Updates of a sending or sent issue that change nothing shown (counters,
-- fan-out progress) do not fire.
CREATE CONSTRAINT TRIGGER issues_archive_insert AFTER INSERT ON issues
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.status = 'sent') EXECUTE FUNCTION archive_changed();
CREATE CONSTRAINT TRIGGER issues_archive_update AFTER UPDATE ON issues
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.status = 'sent' OR NEW.status = 'sent') AND
          (OLD.status, OLD.newsletter_id, OLD.number, OLD.subject, OLD.preheader, coalesce(OLD.sent_at, OLD.updated_at), OLD.html)
          IS DISTINCT FROM
          (NEW.status, NEW.newsletter_id, NEW.number, NEW.subject, NEW.preheader, coalesce(NEW.sent_at, NEW.updated_at), NEW.html))
    EXECUTE FUNCTION archive_changed();
CREATE CONSTRAINT TRIGGER issues_archive_delete AFTER DELETE ON issues
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.status = 'sent') EXECUTE FUNCTION archive_changed();

-- Items: their titles and order are a sent issue's highlights.
CREATE CONSTRAINT TRIGGER items_archive_insert AFTER INSERT ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.issue_id IS NOT NULL) EXECUTE FUNCTION archive_item_changed();
CREATE CONSTRAINT TRIGGER items_archive_update AFTER UPDATE ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.issue_id IS NOT NULL OR NEW.issue_id IS NOT NULL) AND
          (OLD.issue_id, OLD.issue_position, OLD.title) IS DISTINCT FROM (NEW.issue_id, NEW.issue_position, NEW.title))
    EXECUTE FUNCTION archive_item_changed();
CREATE CONSTRAINT TRIGGER items_archive_delete AFTER DELETE ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.issue_id IS NOT NULL) EXECUTE FUNCTION archive_item_changed();

-- Newsletters: name, description, author, time zone, slug, default.
CREATE CONSTRAINT TRIGGER newsletters_archive_update AFTER UPDATE ON newsletters
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.slug, OLD.name, OLD.description, OLD.from_name, OLD.schedule, OLD.is_default, OLD.created_at)
          IS DISTINCT FROM (NEW.slug, NEW.name, NEW.description, NEW.from_name, NEW.schedule, NEW.is_default, NEW.created_at))
    EXECUTE FUNCTION archive_changed();
CREATE CONSTRAINT TRIGGER newsletters_archive_delete AFTER DELETE ON newsletters
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION archive_changed();

-- Lists: a newsletter's first public list is its subscribe link.
CREATE CONSTRAINT TRIGGER lists_archive_update AFTER UPDATE ON lists
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.slug, OLD.public) IS DISTINCT FROM (NEW.slug, NEW.public))
    EXECUTE FUNCTION archive_changed();
CREATE CONSTRAINT TRIGGER lists_archive_delete AFTER DELETE ON lists
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.public) EXECUTE FUNCTION archive_changed();
CREATE CONSTRAINT TRIGGER newsletter_lists_archive_insert AFTER INSERT ON newsletter_lists
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION archive_changed();
CREATE CONSTRAINT TRIGGER newsletter_lists_archive_delete AFTER DELETE ON newsletter_lists
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION archive_changed();
