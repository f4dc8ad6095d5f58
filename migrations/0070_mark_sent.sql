-- Recording 250s at a cost that does not grow with the queue. The sender
-- commits the 250s of a few messages at a time (one or two per SMTP
-- connection by default, so that a crash re-sends at most that many: SPEC
-- §7). Sent from the application, the statement was planned afresh on each
-- commit, and while the table's statistics were older than the fan-out
-- (an issue of 10,000 fans out in one chunk and is sent in seconds, before
-- autovacuum analyzes) the planner chose to hash every pending delivery of
-- the table for each commit of four rows: 600 µs of PostgreSQL's CPU per
-- commit, three times the rest of the sending. Here the plan is fixed: one
-- primary-key lookup per id, planned once per connection. The status test
-- is written so that the pending index cannot serve it (the planner,
-- believing that index nearly empty, would otherwise scan it whole for
-- every commit), and scans, hash and merge joins are off, so that the
-- ids drive the plan.
--
-- It records the server's 250 for each delivery still pending, clears the
-- hard-failure count of its subscriber (so that "bounced" means that many
-- hard failures in a row), and moves the issue's kept counts by the rows
-- that changed, taking a new rate sample every 10 s. Count rows are locked
-- in issue order, so that two processes cannot deadlock on them.
CREATE FUNCTION mark_deliveries_sent(ids bigint[], replies text[]) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    WITH m AS (
        UPDATE deliveries d SET status = 'sent', sent_at = now(), last_code = 250, last_reply = r.reply,
            locked_until = NULL, updated_at = now()
        FROM unnest(ids, replies) AS r(id, reply)
        WHERE d.id = r.id AND d.status NOT IN ('sent', 'failed')
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
