-- Each issue's 250s recorded by a function of its own (after 0142).
--
-- 0142 names the issue's partition in a dynamic statement, so that neither
-- planning nor locking grows with the partitions kept; but PL/pgSQL plans a
-- dynamic statement afresh on every call, and the sender calls once per
-- commit of a few messages: PostgreSQL's CPU per message rose from 130 to
-- 189 µs against 0070's single table. Here the partition's creation also
-- creates mark_sent_<issue>(ids, replies), whose statements name that
-- partition statically, so they are planned once per connection and touch
-- one table. The sender calls it for a batch of one issue (every batch, in
-- practice); mark_deliveries_sent stays for mixed batches and issues
-- without a partition. Retention drops the function with its partition.
CREATE FUNCTION create_mark_sent_function(issue bigint) RETURNS void LANGUAGE plpgsql AS $outer$
BEGIN
    EXECUTE format($f$CREATE OR REPLACE FUNCTION %I(ids bigint[], replies text[]) RETURNS void
        LANGUAGE plpgsql
        SET plan_cache_mode = force_generic_plan
        SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $b$
        DECLARE
            subs bigint[];
            n    bigint;
        BEGIN
            WITH m AS (
                UPDATE %I d SET status = 'sent', sent_at = now(), last_code = 250, last_reply = r.reply,
                    locked_until = NULL, updated_at = now()
                FROM unnest(ids, replies) AS r(id, reply)
                WHERE d.id = r.id AND d.status NOT IN ('sent', 'failed')
                RETURNING d.subscriber_id)
            SELECT array_agg(subscriber_id) FILTER (WHERE subscriber_id IS NOT NULL), count(*) INTO subs, n FROM m;
            IF n = 0 THEN
                RETURN;
            END IF;
            UPDATE subscribers s SET hard_bounces = 0 WHERE s.id = ANY (subs) AND s.hard_bounces > 0;
            UPDATE delivery_counts c SET sent = c.sent + n,
                prev_at = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sample_at ELSE c.prev_at END,
                prev_sent = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sample_sent ELSE c.prev_sent END,
                sample_sent = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sent + n ELSE c.sample_sent END,
                sample_at = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN now() ELSE c.sample_at END
            WHERE c.issue_id = %s;
        END $b$ $f$, 'mark_sent_' || issue, 'deliveries_' || issue, issue);
END $outer$;

CREATE OR REPLACE FUNCTION create_deliveries_partition(issue bigint) RETURNS boolean LANGUAGE plpgsql AS $$
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
    PERFORM create_mark_sent_function(issue);
    RETURN true;
END $$;

-- Partitions made before this migration get theirs.
SELECT create_mark_sent_function(substr(c.relname, length('deliveries_') + 1)::bigint)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'deliveries'::regclass AND c.relname ~ '^deliveries_[0-9]+$';
