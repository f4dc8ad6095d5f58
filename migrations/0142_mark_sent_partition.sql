-- 250s recorded in the issue's partition by name (after 0140, 0141).
--
-- mark_deliveries_sent ran with a generic plan on the partitioned parent:
-- planned once per connection, but each execution still locked every
-- partition and each partition's indexes, so the commit of a few 250s grew
-- slower with every issue kept (1.55 times with 20 kept issues against
-- one). Now the update of each issue's rows names the issue's partition
-- (or the parent, for an issue without one), and touches only it; the
-- subscribers' hard-failure counts and the issue's kept counts follow as
-- before, the counts' rows in issue order so that two commits never wait
-- on each other in a cycle. The function's settings keep the plan on the
-- primary key, as in 0070.
CREATE OR REPLACE FUNCTION mark_deliveries_sent(ids bigint[], issues bigint[], replies text[]) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    issue bigint;
    part  regclass;
    subs  bigint[];
    n     bigint;
BEGIN
    FOR issue IN SELECT DISTINCT u FROM unnest(issues) u ORDER BY u LOOP
        part := coalesce(to_regclass('deliveries_' || issue), 'deliveries'::regclass);
        EXECUTE format('WITH m AS (
                UPDATE %s d SET status = ''sent'', sent_at = now(), last_code = 250, last_reply = r.reply,
                    locked_until = NULL, updated_at = now()
                FROM unnest($1, $2, $3) AS r(id, issue_id, reply)
                WHERE r.issue_id = $4 AND d.id = r.id AND d.issue_id = $4 AND d.status NOT IN (''sent'', ''failed'')
                RETURNING d.subscriber_id)
            SELECT array_agg(subscriber_id) FILTER (WHERE subscriber_id IS NOT NULL), count(*) FROM m', part)
            INTO subs, n USING ids, issues, replies, issue;
        IF n = 0 THEN
            CONTINUE;
        END IF;
        UPDATE subscribers s SET hard_bounces = 0 WHERE s.id = ANY (subs) AND s.hard_bounces > 0;
        UPDATE delivery_counts c SET sent = c.sent + n,
            prev_at = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sample_at ELSE c.prev_at END,
            prev_sent = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sample_sent ELSE c.prev_sent END,
            sample_sent = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN c.sent + n ELSE c.sample_sent END,
            sample_at = CASE WHEN c.sample_at < now() - interval '10 seconds' THEN now() ELSE c.sample_at END
        WHERE c.issue_id = issue;
    END LOOP;
END
$$;
