-- Archive search keeps an in-process index of the sent items per
-- newsletter, rebuilt when archive_version moves. Its snippets show the
-- items' bodies and sources and their "Lastly," titles, so a change of
-- those in a sent issue now bumps the version too (0095 counted only what
-- archive pages show: issue, place and title).
DROP TRIGGER items_archive_update ON items;
CREATE CONSTRAINT TRIGGER items_archive_update AFTER UPDATE ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.issue_id IS NOT NULL OR NEW.issue_id IS NOT NULL) AND
          (OLD.issue_id, OLD.issue_position, OLD.title, OLD.body, OLD.source, OLD.closing)
          IS DISTINCT FROM
          (NEW.issue_id, NEW.issue_position, NEW.title, NEW.body, NEW.source, NEW.closing))
    EXECUTE FUNCTION archive_item_changed();
