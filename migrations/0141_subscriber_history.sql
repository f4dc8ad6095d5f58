-- The per-subscriber history over deliveries partitioned by issue (0140):
-- the bounce rule's run of hard failures, the last message to an address,
-- the last issue sent to a complainer, the subscriber record.
--
-- Read from the partitioned parent, "WHERE subscriber_id = $1 ORDER BY id
-- DESC LIMIT n" probes every partition's index, and planning and locking
-- the statement grow with every partition too. A subscriber has at most
-- one delivery per issue, so subscriber_deliveries walks the issues in the
-- order they were sent, newest first, and reads each one's partition by
-- name (one primary-key-sized probe of one table), until it has lim rows.
-- The bounce rule's run of three reads three partitions for a subscriber
-- of every issue, however many issues are kept.
--
-- Skipped: issues never started and issues whose rows retention dropped
-- (counts final; the bounce rule reads delivery_history for those). An
-- issue without its own partition keeps its rows in the default one. The
-- walk is not cut at the subscriber's created_at: timestamps get moved
-- (the demo dates its history back months), and a missed delivery would
-- break the bounce rule's run. So a subscriber in few of the kept issues
-- costs one probe per kept issue, which retention bounds.
--
-- The rows come out newest issue first; callers keep that order WITH
-- ORDINALITY. up_to (a delivery id) and statuses may be NULL: no bound.
CREATE FUNCTION subscriber_deliveries(sub bigint, up_to bigint, statuses text[], lim integer)
RETURNS SETOF deliveries LANGUAGE plpgsql STABLE AS $$
DECLARE
    issue bigint;
    part  regclass;
    d     deliveries;
    n     integer := 0;
BEGIN
    IF lim <= 0 THEN
        RETURN;
    END IF;
    FOR issue IN
        SELECT i.id FROM issues i
        WHERE i.status IN ('sending', 'sent', 'cancelled')
          AND NOT EXISTS (SELECT 1 FROM delivery_counts c WHERE c.issue_id = i.id AND c.final_at IS NOT NULL)
        ORDER BY coalesce(i.started_at, i.sent_at, i.created_at) DESC, i.id DESC
    LOOP
        part := coalesce(to_regclass('deliveries_' || issue), 'deliveries_default'::regclass);
        EXECUTE format('SELECT * FROM %s d WHERE d.issue_id = $1 AND d.subscriber_id = $2
                AND ($3 IS NULL OR d.id <= $3) AND ($4 IS NULL OR d.status = ANY ($4))', part)
            INTO d USING issue, sub, up_to, statuses;
        IF d.id IS NOT NULL THEN -- EXECUTE … INTO leaves d all NULL when no row matched
            RETURN NEXT d;
            n := n + 1;
            EXIT WHEN n >= lim;
        END IF;
    END LOOP;
END $$;
