-- Baseline: one issue to one subscriber, the per-issue alarm and counts.

-- The sender pool claims pending rows with FOR UPDATE SKIP LOCKED under a
-- lease (locked_until): a claimed delivery stays 'pending', and an expired
-- lease makes it claimable again. A claim changes no indexed column, and
-- with room left on each page (fillfactor 50) PostgreSQL updates the row in
-- place (a HOT update) instead of writing a new entry into every index.
--
-- No foreign keys: their trigger call (and key-share lock on the issue row)
-- per inserted row doubled the fan-out's time, and the fan-out takes its ids
-- straight from issues and subscribers under a lock on the issue. Their
-- ON DELETE actions are the triggers below, paid on the rare delete.
CREATE TABLE deliveries (
    id              bigserial PRIMARY KEY,
    issue_id        bigint NOT NULL,
    subscriber_id   bigint,
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_code       integer NOT NULL DEFAULT 0,
    last_reply      text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issue_id, subscriber_id),
    CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'sent', 'failed'))
) WITH (fillfactor = 50);
CREATE INDEX deliveries_pending_idx ON deliveries (issue_id, next_attempt_at) WHERE status = 'pending';

CREATE FUNCTION deliveries_on_issue_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM deliveries WHERE issue_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER issues_delete_deliveries AFTER DELETE ON issues
    FOR EACH ROW EXECUTE FUNCTION deliveries_on_issue_delete();

-- Erasing a subscriber keeps the delivery history without the person.
CREATE FUNCTION deliveries_on_subscriber_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE deliveries SET subscriber_id = NULL WHERE subscriber_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER subscribers_delete_deliveries AFTER DELETE ON subscribers
    FOR EACH ROW EXECUTE FUNCTION deliveries_on_subscriber_delete();

-- 5.7.x policy rejections (DMARC, authentication, blocked sender) say the
-- sender is misconfigured, not that the address is bad. They are counted per
-- issue; past a threshold the issue is paused (paused_at set) until an
-- operator sends it again.
CREATE TABLE delivery_alarms (
    issue_id          bigint PRIMARY KEY REFERENCES issues ON DELETE CASCADE,
    policy_rejections integer NOT NULL DEFAULT 0,
    last_reply        text NOT NULL DEFAULT '',
    paused_at         timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Progress without counting: an issue's delivery counts are kept as they
-- change, so the progress the admin page polls and /metrics cost one row.
-- total grows with each fan-out chunk, sent with each grouped commit of
-- 250s, failed with each final failure. Two samples of (time, sent), taken
-- at least 10 s apart by the commits of 250s, give the current send rate.
CREATE TABLE delivery_counts (
    issue_id    bigint PRIMARY KEY REFERENCES issues ON DELETE CASCADE,
    total       bigint NOT NULL DEFAULT 0,
    sent        bigint NOT NULL DEFAULT 0,
    failed      bigint NOT NULL DEFAULT 0,
    sample_at   timestamptz NOT NULL DEFAULT now(),
    sample_sent bigint NOT NULL DEFAULT 0,
    prev_at     timestamptz NOT NULL DEFAULT now(),
    prev_sent   bigint NOT NULL DEFAULT 0
);
