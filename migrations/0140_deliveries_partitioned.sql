-- A year of issues at scale (issue 17, item 6): a weekly issue to a million
-- readers adds 52 million delivery rows a year. deliveries becomes a table
-- partitioned by issue (LIST on issue_id), one partition per issue, so that
--   * the claim, the 250s, failures, progress and the finish probe of an
--     issue name issue_id and touch one partition of one issue's size;
--   * a finished issue's rows are summarised into its kept counts and the
--     partition detached and dropped after BULLETIN_DELIVERY_RETENTION,
--     without a DELETE of a million rows or the bloat it leaves.
-- By issue rather than by month: every statement of the sender knows its
-- issue, an issue's rows live and die together, and an issue that spans a
-- month's end is not split.
--
-- An issue's partition is created before its fan-out, in its own short
-- transaction (create_deliveries_partition below): a table made LIKE the
-- parent and then ATTACHed, which takes SHARE UPDATE EXCLUSIVE on the
-- parent, so claims and 250s of other issues go on meanwhile (CREATE TABLE
-- … PARTITION OF would take ACCESS EXCLUSIVE). The default partition stays
-- empty in normal operation; it is a safety net, so that a row whose issue
-- has no partition yet (a fixture, an older process during an upgrade) is
-- stored rather than refused. create_deliveries_partition moves such rows
-- into the issue's own partition.
--
-- The primary key must contain the partition key: (id, issue_id). With id
-- first it still serves WHERE id = $1 (the VERP lookup of inbound mail),
-- one index probe per partition; ids stay unique through the one sequence.
-- Each partition keeps fillfactor 50 (HOT claims, migration 0006): a
-- partitioned parent cannot carry storage options itself.
--
-- New: an index on (subscriber_id, id). The per-subscriber history (the
-- hard-failure run of inbound bounces, the last message sent to an address,
-- erasing a subscriber) read the whole table without one.

ALTER TABLE deliveries RENAME TO deliveries_old;
ALTER TABLE deliveries_old RENAME CONSTRAINT deliveries_pkey TO deliveries_old_pkey;
ALTER TABLE deliveries_old RENAME CONSTRAINT deliveries_issue_id_subscriber_id_key TO deliveries_old_issue_subscriber_key;
ALTER TABLE deliveries_old RENAME CONSTRAINT deliveries_status_check TO deliveries_old_status_check;
ALTER INDEX deliveries_pending_idx RENAME TO deliveries_old_pending_idx;

CREATE TABLE deliveries (
    id              bigint NOT NULL DEFAULT nextval('deliveries_id_seq'),
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
    CONSTRAINT deliveries_pkey PRIMARY KEY (id, issue_id),
    CONSTRAINT deliveries_issue_id_subscriber_id_key UNIQUE (issue_id, subscriber_id),
    CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'sent', 'failed'))
) PARTITION BY LIST (issue_id);
CREATE INDEX deliveries_pending_idx ON deliveries (issue_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_subscriber_idx ON deliveries (subscriber_id, id);
ALTER SEQUENCE deliveries_id_seq OWNED BY deliveries.id;

CREATE TABLE deliveries_default PARTITION OF deliveries DEFAULT WITH (fillfactor = 50);

-- create_deliveries_partition makes issue's partition if it has none and
-- reports whether it did. Call it in its own transaction before the
-- issue's fan-out. Concurrent calls for one issue are serialised by an
-- advisory lock; for different issues they only queue on the parent's
-- SHARE UPDATE EXCLUSIVE lock for the moment the ATTACH takes.
CREATE FUNCTION create_deliveries_partition(issue bigint) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    part text := 'deliveries_' || issue;
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('bulletin deliveries partition', issue));
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE deliveries INCLUDING DEFAULTS INCLUDING CONSTRAINTS) WITH (fillfactor = 50)', part);
    -- Rows that fell into the default partition move with their issue, or
    -- the ATTACH would find them there and refuse.
    EXECUTE format('WITH m AS (DELETE FROM deliveries_default WHERE issue_id = $1 RETURNING *) INSERT INTO %I SELECT * FROM m', part)
        USING issue;
    EXECUTE format('ALTER TABLE deliveries ATTACH PARTITION %I FOR VALUES IN (%s)', part, issue);
    RETURN true;
END $$;

-- Rows move into their issue's partition.
SELECT create_deliveries_partition(issue_id) FROM (SELECT DISTINCT issue_id FROM deliveries_old) i ORDER BY issue_id;
SELECT create_deliveries_partition(id) FROM issues WHERE status = 'sending' ORDER BY id;
INSERT INTO deliveries SELECT * FROM deliveries_old;
DROP TABLE deliveries_old;

-- 250s name their issue, so each id is looked up in its issue's partition
-- only; otherwise every id is probed in every partition. The plan stays
-- fixed as in migration 0070.
DROP FUNCTION mark_deliveries_sent(bigint[], text[]);
CREATE FUNCTION mark_deliveries_sent(ids bigint[], issues bigint[], replies text[]) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    WITH m AS (
        UPDATE deliveries d SET status = 'sent', sent_at = now(), last_code = 250, last_reply = r.reply,
            locked_until = NULL, updated_at = now()
        FROM unnest(ids, issues, replies) AS r(id, issue_id, reply)
        WHERE d.id = r.id AND d.issue_id = r.issue_id AND d.status NOT IN ('sent', 'failed')
        RETURNING d.issue_id, d.subscriber_id),
    b AS (UPDATE subscribers s SET hard_bounces = 0 FROM m WHERE s.id = m.subscriber_id AND s.hard_bounces > 0),
    n AS (SELECT issue_id, count(*) AS n FROM m GROUP BY issue_id),
    l AS (SELECT issue_id FROM delivery_counts WHERE issue_id IN (SELECT issue_id FROM n) ORDER BY issue_id FOR UPDATE)
    UPDATE delivery_counts c SET sent = c.sent + n.n,
        prev_at = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sample_at ELSE c.prev_at END,
        prev_sent = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sample_sent ELSE c.prev_sent END,
        sample_sent = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sent + n.n ELSE c.sample_sent END,
        sample_at = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN now() ELSE c.sample_at END
    FROM n JOIN l USING (issue_id) WHERE c.issue_id = n.issue_id;
END
$$;

-- Retention: when an issue's partition is dropped, its counts are final
-- (final_at set), and what the hard-failure rule of inbound bounces needs
-- from the dropped rows is kept per subscriber: the run of hard failures
-- (5xx) in a row that ended with the newest dropped delivery.
ALTER TABLE delivery_counts ADD COLUMN final_at timestamptz;
CREATE TABLE delivery_history (
    subscriber_id bigint PRIMARY KEY REFERENCES subscribers ON DELETE CASCADE,
    hard_run      integer NOT NULL CHECK (hard_run > 0),
    last_id       bigint NOT NULL  -- the newest dropped delivery counted
);
