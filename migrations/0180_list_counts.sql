-- Import speed (issue 17): a list's members by status, kept as
-- memberships change, so that the Lists page and the API read one row
-- instead of counting a list's memberships through an index every import
-- pays for (subscriptions_list_status_idx, dropped in 0181).
--
-- One row per list, not one per (list, status): a confirmation or an
-- unsubscribe moves a membership between two statuses, and with a row per
-- status it would lock two rows, in an order that differs between
-- statements (pending -> active, active -> unsubscribed); one row per list
-- takes one lock per list and statement. Concurrent changes to one list
-- wait on that row either way (every sign-up adds to the same "pending"
-- or "active" figure), each until its own transaction ends; a statement
-- that changes no status (a token refresh) does not touch it.
CREATE TABLE list_counts (
    list_id      bigint PRIMARY KEY REFERENCES lists ON DELETE CASCADE,
    active       bigint NOT NULL DEFAULT 0,
    pending      bigint NOT NULL DEFAULT 0,
    unsubscribed bigint NOT NULL DEFAULT 0
);

-- The changes of one statement on subscriptions, summed by list: the rows
-- after it (n) count +1 under their status, the rows before it (o) -1 (an
-- update needs no join of the two: a row whose status did not change adds
-- and takes away the same one). The lists' rows are taken in list order,
-- so that two statements never wait on each other in a cycle; a list with
-- no change is not touched, and a list being deleted (its memberships go
-- in the same transaction, after the list and its row) gets no row back.
CREATE FUNCTION subscriptions_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (list_id, active, pending, unsubscribed)
        SELECT d.* FROM (
            SELECT n.list_id,
                count(*) FILTER (WHERE n.status = 'active') AS active,
                count(*) FILTER (WHERE n.status = 'pending') AS pending,
                count(*) FILTER (WHERE n.status = 'unsubscribed') AS unsubscribed
            FROM new_rows n GROUP BY 1) d
        WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = d.list_id)
        ORDER BY d.list_id
        ON CONFLICT (list_id) DO UPDATE SET active = c.active + EXCLUDED.active,
            pending = c.pending + EXCLUDED.pending, unsubscribed = c.unsubscribed + EXCLUDED.unsubscribed;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO list_counts AS c (list_id, active, pending, unsubscribed)
        SELECT d.* FROM (
            SELECT r.list_id,
                coalesce(sum(r.n) FILTER (WHERE r.status = 'active'), 0) AS active,
                coalesce(sum(r.n) FILTER (WHERE r.status = 'pending'), 0) AS pending,
                coalesce(sum(r.n) FILTER (WHERE r.status = 'unsubscribed'), 0) AS unsubscribed
            FROM (SELECT n.list_id, n.status, count(*) AS n FROM new_rows n GROUP BY 1, 2
                  UNION ALL
                  SELECT o.list_id, o.status, -count(*) FROM old_rows o GROUP BY 1, 2) r
            GROUP BY 1) d
        WHERE (d.active, d.pending, d.unsubscribed) <> (0, 0, 0)
            AND EXISTS (SELECT 1 FROM lists l WHERE l.id = d.list_id)
        ORDER BY d.list_id
        ON CONFLICT (list_id) DO UPDATE SET active = c.active + EXCLUDED.active,
            pending = c.pending + EXCLUDED.pending, unsubscribed = c.unsubscribed + EXCLUDED.unsubscribed;
    ELSE -- DELETE
        INSERT INTO list_counts AS c (list_id, active, pending, unsubscribed)
        SELECT d.* FROM (
            SELECT o.list_id,
                -count(*) FILTER (WHERE o.status = 'active') AS active,
                -count(*) FILTER (WHERE o.status = 'pending') AS pending,
                -count(*) FILTER (WHERE o.status = 'unsubscribed') AS unsubscribed
            FROM old_rows o GROUP BY 1) d
        WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = d.list_id)
        ORDER BY d.list_id
        ON CONFLICT (list_id) DO UPDATE SET active = c.active + EXCLUDED.active,
            pending = c.pending + EXCLUDED.pending, unsubscribed = c.unsubscribed + EXCLUDED.unsubscribed;
    END IF;
    RETURN NULL;
END $$;

-- A TRUNCATE of subscriptions (the tests and benchmarks do it) takes every
-- list's members with it.
CREATE FUNCTION subscriptions_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM list_counts;
    RETURN NULL;
END $$;

CREATE TRIGGER subscriptions_counts_insert AFTER INSERT ON subscriptions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_counts();
CREATE TRIGGER subscriptions_counts_update AFTER UPDATE ON subscriptions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_counts();
CREATE TRIGGER subscriptions_counts_delete AFTER DELETE ON subscriptions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_counts();
CREATE TRIGGER subscriptions_counts_truncate AFTER TRUNCATE ON subscriptions
    FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_counts_truncate();

-- The triggers hold subscriptions against writes (SHARE ROW EXCLUSIVE)
-- until this migration commits, so nothing changes between the count and
-- the first trigger.
INSERT INTO list_counts (list_id, active, pending, unsubscribed)
SELECT s.list_id, count(*) FILTER (WHERE s.status = 'active'),
    count(*) FILTER (WHERE s.status = 'pending'), count(*) FILTER (WHERE s.status = 'unsubscribed')
FROM subscriptions s WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = s.list_id)
GROUP BY s.list_id;
