-- Reports (issue 15): the growth of each list by week, kept as events
-- arrive so that charts never count a list's subscriptions, and an index
-- for the unsubscribes an issue report attributes to a send.
--
-- One row per list and week (Monday, UTC). joined counts subscriptions
-- that became active (confirmed, or added confirmed); left_* counts
-- subscriptions that became unsubscribed, by subscriptions.unsubscribed_how;
-- bounced counts active subscriptions whose subscriber was marked bounced;
-- net is the change in active subscriptions (counted as the Lists page
-- counts them), so the active total at the end of a week is the sum of net
-- up to it. Statement triggers with transition tables keep it, so
-- a CSV import of a million rows costs one small upsert, not a million.
CREATE TABLE list_growth (
    list_id          bigint NOT NULL REFERENCES lists ON DELETE CASCADE,
    week             date   NOT NULL,
    joined           bigint NOT NULL DEFAULT 0,
    left_link        bigint NOT NULL DEFAULT 0,
    left_mailto      bigint NOT NULL DEFAULT 0,
    left_preferences bigint NOT NULL DEFAULT 0,
    left_complaint   bigint NOT NULL DEFAULT 0,
    left_admin       bigint NOT NULL DEFAULT 0,
    left_import      bigint NOT NULL DEFAULT 0,
    left_other       bigint NOT NULL DEFAULT 0, -- unsubscribed with no recorded how
    bounced          bigint NOT NULL DEFAULT 0,
    net              bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (list_id, week)
);

CREATE FUNCTION growth_week(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS
$$ SELECT date_trunc('week', t AT TIME ZONE 'UTC')::date $$;

-- growth_add adds rows already summed by list and week (a few per
-- statement); they are taken in key order so that two transactions never
-- wait on each other in a cycle.
CREATE FUNCTION growth_add(ev jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO list_growth AS g (list_id, week, joined, left_link, left_mailto, left_preferences,
        left_complaint, left_admin, left_import, left_other, bounced, net)
    SELECT list_id, week, sum(joined), sum(left_link), sum(left_mailto), sum(left_preferences),
        sum(left_complaint), sum(left_admin), sum(left_import), sum(left_other), sum(bounced), sum(net)
    FROM jsonb_to_recordset(ev) AS e(list_id bigint, week date, joined bigint, left_link bigint,
        left_mailto bigint, left_preferences bigint, left_complaint bigint, left_admin bigint,
        left_import bigint, left_other bigint, bounced bigint, net bigint)
    WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = e.list_id) -- a list being deleted takes its rows
    GROUP BY list_id, week ORDER BY list_id, week
    ON CONFLICT (list_id, week) DO UPDATE SET joined = g.joined + EXCLUDED.joined,
        left_link = g.left_link + EXCLUDED.left_link, left_mailto = g.left_mailto + EXCLUDED.left_mailto,
        left_preferences = g.left_preferences + EXCLUDED.left_preferences,
        left_complaint = g.left_complaint + EXCLUDED.left_complaint, left_admin = g.left_admin + EXCLUDED.left_admin,
        left_import = g.left_import + EXCLUDED.left_import, left_other = g.left_other + EXCLUDED.left_other,
        bounced = g.bounced + EXCLUDED.bounced, net = g.net + EXCLUDED.net
$$;

-- The events of one statement on subscriptions: for an insert or an
-- update, the row after (n) against the row before (o; none for an
-- insert); for a delete, the active rows removed.
CREATE FUNCTION subscriptions_growth() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ev jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(to_jsonb(a)) INTO ev FROM (
            SELECT n.list_id,
                growth_week(CASE WHEN n.status = 'unsubscribed' THEN coalesce(n.unsubscribed_at, now())
                                 ELSE coalesce(n.confirmed_at, n.consent_at, now()) END) AS week,
                count(*) FILTER (WHERE n.status = 'active') AS joined,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'link') AS left_link,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'mailto') AS left_mailto,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'preferences') AS left_preferences,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'complaint') AS left_complaint,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'admin') AS left_admin,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'import') AS left_import,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how IS NULL) AS left_other,
                0 AS bounced,
                count(*) FILTER (WHERE n.status = 'active') AS net
            FROM new_rows n
            WHERE n.status IN ('active', 'unsubscribed')
            GROUP BY 1, 2) a;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT jsonb_agg(to_jsonb(a)) INTO ev FROM (
            SELECT n.list_id,
                growth_week(CASE WHEN n.status = 'unsubscribed' THEN coalesce(n.unsubscribed_at, now())
                                 WHEN n.status = 'active' THEN coalesce(n.confirmed_at, n.consent_at, now())
                                 ELSE now() END) AS week,
                count(*) FILTER (WHERE n.status = 'active') AS joined,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'link') AS left_link,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'mailto') AS left_mailto,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'preferences') AS left_preferences,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'complaint') AS left_complaint,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'admin') AS left_admin,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how = 'import') AS left_import,
                count(*) FILTER (WHERE n.status = 'unsubscribed' AND n.unsubscribed_how IS NULL) AS left_other,
                0 AS bounced,
                coalesce(sum((n.status = 'active')::int - (o.status = 'active')::int), 0) AS net
            FROM old_rows o JOIN new_rows n USING (list_id, subscriber_id)
            WHERE o.status IS DISTINCT FROM n.status
            GROUP BY 1, 2) a;
    ELSE -- DELETE
        SELECT jsonb_agg(to_jsonb(a)) INTO ev FROM (
            SELECT o.list_id, growth_week(now()) AS week, 0 AS joined, 0 AS left_link, 0 AS left_mailto,
                0 AS left_preferences, 0 AS left_complaint, 0 AS left_admin, 0 AS left_import, 0 AS left_other,
                0 AS bounced, -count(*) AS net
            FROM old_rows o WHERE o.status = 'active'
            GROUP BY 1, 2) a;
    END IF;
    IF ev IS NOT NULL THEN
        PERFORM growth_add(ev);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER subscriptions_growth_insert AFTER INSERT ON subscriptions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_growth();
CREATE TRIGGER subscriptions_growth_update AFTER UPDATE ON subscriptions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_growth();
CREATE TRIGGER subscriptions_growth_delete AFTER DELETE ON subscriptions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_growth();

-- A subscriber marked bounced counts once on each list they are active on.
CREATE FUNCTION subscribers_growth() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ev jsonb;
BEGIN
    SELECT jsonb_agg(jsonb_build_object('list_id', sub.list_id, 'week', growth_week(now()),
        'joined', 0, 'left_link', 0, 'left_mailto', 0, 'left_preferences', 0, 'left_complaint', 0,
        'left_admin', 0, 'left_import', 0, 'left_other', 0, 'bounced', 1, 'net', 0))
    INTO ev
    FROM subscriptions sub WHERE sub.subscriber_id = NEW.id AND sub.status = 'active';
    IF ev IS NOT NULL THEN
        PERFORM growth_add(ev);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER subscribers_growth_bounced AFTER UPDATE OF status ON subscribers
    FOR EACH ROW WHEN (NEW.status = 'bounced' AND OLD.status <> 'bounced')
    EXECUTE FUNCTION subscribers_growth();

-- What is there already, once, by the times recorded on each row.
SELECT growth_add(coalesce((SELECT jsonb_agg(to_jsonb(a)) FROM (
    SELECT list_id, week, sum(joined) AS joined, sum(left_link) AS left_link, sum(left_mailto) AS left_mailto,
        sum(left_preferences) AS left_preferences, sum(left_complaint) AS left_complaint,
        sum(left_admin) AS left_admin, sum(left_import) AS left_import, sum(left_other) AS left_other,
        0 AS bounced, sum(net) AS net
    FROM (
        SELECT sub.list_id, growth_week(coalesce(sub.confirmed_at, sub.consent_at, sub.created_at)) AS week,
            1 AS joined, 0 AS left_link, 0 AS left_mailto, 0 AS left_preferences, 0 AS left_complaint,
            0 AS left_admin, 0 AS left_import, 0 AS left_other, 1 AS net
        FROM subscriptions sub WHERE sub.status = 'active'
        UNION ALL
        SELECT sub.list_id, growth_week(coalesce(sub.unsubscribed_at, sub.updated_at)), 0,
            (sub.unsubscribed_how = 'link')::int, (sub.unsubscribed_how = 'mailto')::int,
            (sub.unsubscribed_how = 'preferences')::int, (sub.unsubscribed_how = 'complaint')::int,
            (sub.unsubscribed_how = 'admin')::int, (sub.unsubscribed_how = 'import')::int,
            (sub.unsubscribed_how IS NULL)::int, 0
        FROM subscriptions sub WHERE sub.status = 'unsubscribed') e
    GROUP BY list_id, week) a), '[]'::jsonb));

-- The unsubscribes an issue report attributes to a send: by link or
-- mailto, on the newsletter's lists, within the week after it.
CREATE INDEX subscriptions_left_by_token_idx ON subscriptions (list_id, unsubscribed_at)
    WHERE unsubscribed_how IN ('link', 'mailto');
