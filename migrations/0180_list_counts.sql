-- Import speed (issue 17): a list's members by status, kept as
-- memberships change, so that the Lists page and the API read one row
-- instead of counting a list's memberships through an index every import
-- pays for (subscriptions_list_status_idx, dropped in 0181).
--
-- One row per list with three figures, not one per (list, status): a
-- count reads one row, and a statement locks one row per list it changes
-- (a confirmation would lock two of three). Contention is about the same
-- either way: every double opt-in sign-up to a list adds to the same
-- "pending" figure and every confirmation takes it too; a row per status
-- would only let sign-ups pass unsubscribes. Each writer holds its list's
-- row from its statement's end to its commit (milliseconds for a sign-up;
-- an import takes it at the end of its merge, just before it commits). A
-- statement that changes no status (a token refresh) takes no row.
LOCK TABLE subscriptions IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE list_counts (
    list_id      bigint PRIMARY KEY REFERENCES lists ON DELETE CASCADE,
    active       bigint NOT NULL DEFAULT 0,
    pending      bigint NOT NULL DEFAULT 0,
    unsubscribed bigint NOT NULL DEFAULT 0
);

-- The counts are kept by the growth trigger of 0115 and 0152, which
-- already groups each statement's rows by list and status: one pass over
-- the rows serves both tables (for a million inserted memberships, 0.25 s
-- of trigger time for both, against 0.24 s for the growth figures alone
-- and 0.165 s more for a trigger of the counts' own). Each statement adds
-- to the list_counts rows of the lists it changed, in list order, so that
-- two statements never wait on each other in a cycle (a transaction of
-- several statements over several lists must go in list order too, as
-- SavePreferences does), and before the list_growth rows, as every
-- statement does. An update counts only the
-- rows whose status changed (+1 under the new status, -1 under the old);
-- a list being deleted (its memberships go in the same transaction, after
-- the list and its row) gets no row back. The growth figures are worked
-- out as before from the same groups (pending rows get no time: growth
-- does not count them).
CREATE OR REPLACE FUNCTION subscriptions_growth() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ev jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH g AS MATERIALIZED (
            SELECT n.list_id, n.status, n.unsubscribed_how AS how,
                CASE WHEN n.status = 'unsubscribed' THEN coalesce(n.unsubscribed_at, now())
                     WHEN n.status = 'active' THEN coalesce(n.confirmed_at, n.consent_at, now()) END AS at,
                count(*) AS n
            FROM new_rows n GROUP BY 1, 2, 3, 4),
        c AS (
            INSERT INTO list_counts AS c (list_id, active, pending, unsubscribed)
            SELECT g.list_id, coalesce(sum(g.n) FILTER (WHERE g.status = 'active'), 0),
                coalesce(sum(g.n) FILTER (WHERE g.status = 'pending'), 0),
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed'), 0)
            FROM g WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = g.list_id)
            GROUP BY g.list_id ORDER BY g.list_id
            ON CONFLICT (list_id) DO UPDATE SET active = c.active + EXCLUDED.active,
                pending = c.pending + EXCLUDED.pending, unsubscribed = c.unsubscribed + EXCLUDED.unsubscribed)
        SELECT jsonb_agg(to_jsonb(a)) INTO ev FROM (
            SELECT g.list_id, growth_week(g.at) AS week,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'active'), 0)::bigint AS joined,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'link'), 0)::bigint AS left_link,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'mailto'), 0)::bigint AS left_mailto,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'preferences'), 0)::bigint AS left_preferences,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'complaint'), 0)::bigint AS left_complaint,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'admin'), 0)::bigint AS left_admin,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'import'), 0)::bigint AS left_import,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how IS NULL), 0)::bigint AS left_other,
                0 AS bounced,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'active'), 0)::bigint AS net
            FROM g WHERE g.status IN ('active', 'unsubscribed')
            GROUP BY 1, 2) a;
    ELSIF TG_OP = 'UPDATE' THEN
        WITH g AS MATERIALIZED (
            SELECT n.list_id, n.status, o.status AS was, n.unsubscribed_how AS how,
                CASE WHEN n.status = 'unsubscribed' THEN coalesce(n.unsubscribed_at, now())
                     WHEN n.status = 'active' THEN coalesce(n.confirmed_at, n.consent_at, now())
                     ELSE now() END AS at,
                count(*) AS n
            FROM old_rows o JOIN new_rows n USING (list_id, subscriber_id)
            WHERE o.status IS DISTINCT FROM n.status
            GROUP BY 1, 2, 3, 4, 5),
        c AS (
            INSERT INTO list_counts AS c (list_id, active, pending, unsubscribed)
            SELECT g.list_id, sum(g.n * ((g.status = 'active')::int - (g.was = 'active')::int)),
                sum(g.n * ((g.status = 'pending')::int - (g.was = 'pending')::int)),
                sum(g.n * ((g.status = 'unsubscribed')::int - (g.was = 'unsubscribed')::int))
            FROM g WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = g.list_id)
            GROUP BY g.list_id ORDER BY g.list_id
            ON CONFLICT (list_id) DO UPDATE SET active = c.active + EXCLUDED.active,
                pending = c.pending + EXCLUDED.pending, unsubscribed = c.unsubscribed + EXCLUDED.unsubscribed)
        SELECT jsonb_agg(to_jsonb(a)) INTO ev FROM (
            SELECT g.list_id, growth_week(g.at) AS week,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'active'), 0)::bigint AS joined,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'link'), 0)::bigint AS left_link,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'mailto'), 0)::bigint AS left_mailto,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'preferences'), 0)::bigint AS left_preferences,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'complaint'), 0)::bigint AS left_complaint,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'admin'), 0)::bigint AS left_admin,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how = 'import'), 0)::bigint AS left_import,
                coalesce(sum(g.n) FILTER (WHERE g.status = 'unsubscribed' AND g.how IS NULL), 0)::bigint AS left_other,
                0 AS bounced,
                coalesce(sum(g.n * ((g.status = 'active')::int - (g.was = 'active')::int)), 0)::bigint AS net
            FROM g GROUP BY 1, 2) a;
    ELSE -- DELETE
        WITH g AS MATERIALIZED (
            SELECT o.list_id, count(*) FILTER (WHERE o.status = 'active') AS active,
                count(*) FILTER (WHERE o.status = 'pending') AS pending,
                count(*) FILTER (WHERE o.status = 'unsubscribed') AS unsubscribed
            FROM old_rows o GROUP BY 1),
        c AS (
            INSERT INTO list_counts AS c (list_id, active, pending, unsubscribed)
            SELECT g.list_id, -g.active, -g.pending, -g.unsubscribed
            FROM g WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = g.list_id)
            ORDER BY g.list_id
            ON CONFLICT (list_id) DO UPDATE SET active = c.active + EXCLUDED.active,
                pending = c.pending + EXCLUDED.pending, unsubscribed = c.unsubscribed + EXCLUDED.unsubscribed)
        SELECT jsonb_agg(to_jsonb(a)) INTO ev FROM (
            SELECT g.list_id, growth_week(now()) AS week, 0 AS joined, 0 AS left_link, 0 AS left_mailto,
                0 AS left_preferences, 0 AS left_complaint, 0 AS left_admin, 0 AS left_import, 0 AS left_other,
                0 AS bounced, -g.active AS net
            FROM g WHERE g.active > 0) a;
    END IF;
    IF ev IS NOT NULL THEN
        PERFORM growth_add(ev);
    END IF;
    RETURN NULL;
END $$;

-- A TRUNCATE of subscriptions (the tests and the import benchmark do it)
-- takes every list's members with it.
CREATE FUNCTION subscriptions_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM list_counts;
    RETURN NULL;
END $$;
CREATE TRIGGER subscriptions_counts_truncate AFTER TRUNCATE ON subscriptions
    FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_counts_truncate();

-- The memberships as they are now, counted while no one can change them
-- (the lock waits for open writers and holds new ones until this
-- migration commits; they then run the new trigger).
INSERT INTO list_counts (list_id, active, pending, unsubscribed)
SELECT s.list_id, count(*) FILTER (WHERE s.status = 'active'),
    count(*) FILTER (WHERE s.status = 'pending'), count(*) FILTER (WHERE s.status = 'unsubscribed')
FROM subscriptions s WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = s.list_id)
GROUP BY s.list_id;
