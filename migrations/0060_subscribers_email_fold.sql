-- An address's identity is case-insensitive: Victim@example.org and
-- victim@example.org are one subscriber for matching, rate limits, the
-- blocklist and unsubscribing. The spelling as typed stays in email, for
-- display; a unique index on lower(email COLLATE "C") enforces the
-- identity. That folds the ASCII letters (the domain is already lower-case
-- punycode); a non-ASCII local part keeps its case, as most mail systems
-- treat it. Queries match with the index's expression:
-- lower(email COLLATE "C") = lower($1 COLLATE "C").
--
-- Rows that differ only by case are merged first, into the oldest row of
-- each group (its id and spelling stay):
--   * the subscriber's status is the strictest of the group:
--     blocklisted > bounced > unsubscribed > active > pending;
--     hard bounces add up; the first non-empty name is kept;
--   * per list, the strictest membership wins (unsubscribed > active >
--     pending) and moves to the kept row; a merged subscriber that is
--     unsubscribed is off every list, as an unsubscribe would leave it;
--   * per issue, one delivery moves to the kept row (its own first); any
--     other keeps its history without the person (subscriber_id NULL, as
--     an erasure leaves it), so no issue goes twice to one mailbox;
--   * the merged rows' tokens keep working: unsubscribe and preference
--     links already mailed lead to the kept row (subscriber_tokens_merged).

CREATE TABLE subscriber_tokens_merged (
    token         text PRIMARY KEY,
    subscriber_id bigint NOT NULL REFERENCES subscribers ON DELETE CASCADE
);
CREATE INDEX subscriber_tokens_merged_subscriber_idx ON subscriber_tokens_merged (subscriber_id);

CREATE TEMP TABLE subscriber_fold ON COMMIT DROP AS
SELECT id, min(id) OVER (PARTITION BY lower(email COLLATE "C")) AS keep_id
FROM subscribers
WHERE lower(email COLLATE "C") IN (SELECT lower(email COLLATE "C") FROM subscribers GROUP BY 1 HAVING count(*) > 1);

UPDATE subscribers s SET status = g.status, hard_bounces = g.hard_bounces, name = g.name, updated_at = now()
FROM (
    SELECT f.keep_id,
        (array_agg(s.status ORDER BY array_position(ARRAY['blocklisted', 'bounced', 'unsubscribed', 'active', 'pending'], s.status), s.id))[1] AS status,
        sum(s.hard_bounces) AS hard_bounces,
        coalesce((array_agg(s.name ORDER BY s.id) FILTER (WHERE s.name <> ''))[1], '') AS name
    FROM subscriber_fold f JOIN subscribers s ON s.id = f.id
    GROUP BY f.keep_id
) g
WHERE s.id = g.keep_id;

DELETE FROM subscriptions x USING (
    SELECT x.list_id, x.subscriber_id, row_number() OVER (PARTITION BY f.keep_id, x.list_id
        ORDER BY array_position(ARRAY['unsubscribed', 'active', 'pending'], x.status), x.subscriber_id) AS n
    FROM subscriptions x JOIN subscriber_fold f ON f.id = x.subscriber_id
) d
WHERE x.list_id = d.list_id AND x.subscriber_id = d.subscriber_id AND d.n > 1;

UPDATE subscriptions x SET subscriber_id = f.keep_id, updated_at = now()
FROM subscriber_fold f
WHERE x.subscriber_id = f.id AND f.id <> f.keep_id;

UPDATE subscriptions x SET status = 'unsubscribed', unsubscribed_at = coalesce(x.unsubscribed_at, now()),
    confirm_token = NULL, updated_at = now()
FROM subscribers s
WHERE s.id = x.subscriber_id AND s.status = 'unsubscribed' AND x.status <> 'unsubscribed'
  AND s.id IN (SELECT keep_id FROM subscriber_fold);

UPDATE deliveries d SET subscriber_id = CASE WHEN r.n = 1 THEN r.keep_id END
FROM (
    SELECT d.id, f.keep_id, row_number() OVER (PARTITION BY f.keep_id, d.issue_id
        ORDER BY d.subscriber_id <> f.keep_id, d.id) AS n
    FROM deliveries d JOIN subscriber_fold f ON f.id = d.subscriber_id
) r
WHERE d.id = r.id AND d.subscriber_id IS DISTINCT FROM CASE WHEN r.n = 1 THEN r.keep_id END;

INSERT INTO subscriber_tokens_merged (token, subscriber_id)
SELECT s.token, f.keep_id FROM subscriber_fold f JOIN subscribers s ON s.id = f.id
WHERE f.id <> f.keep_id;

DELETE FROM subscribers s USING subscriber_fold f WHERE s.id = f.id AND f.id <> f.keep_id;

-- COLLATE "C": the identity needs byte equality, not a language's order;
-- lower() in "C" and bytewise comparison are the cheapest (lower() under a
-- UTF-8 locale tripled the cost of inserting a row), and an import inserts
-- its new rows in this order, so the index grows at its end.
CREATE UNIQUE INDEX subscribers_email_fold_key ON subscribers ((lower(email COLLATE "C")));
