-- Import speed: a CSV import of a million rows inserts a million
-- memberships, and each paid two foreign-key trigger calls, each locking
-- the referenced subscribers or lists row (FOR KEY SHARE), which dirtied
-- every subscriber page a second time: over half of the import's time.
-- The import takes its list under a lock and the subscriber ids from its
-- own insert in the same transaction, and Subscribe and the preference
-- page take both from rows they just read, so the checks prove nothing
-- there. As 0041 did for deliveries, the keys' ON DELETE CASCADE actions
-- are kept as triggers on the referenced tables, paid on the rare delete.
-- (An erasure racing an import of the same address can leave a membership
-- without its subscriber; every reader joins subscribers, so it is never
-- seen, and ids are never reused.)
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_list_id_fkey;
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_subscriber_id_fkey;

CREATE FUNCTION subscriptions_on_list_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM subscriptions WHERE list_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER lists_delete_subscriptions AFTER DELETE ON lists
    FOR EACH ROW EXECUTE FUNCTION subscriptions_on_list_delete();

CREATE FUNCTION subscriptions_on_subscriber_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM subscriptions WHERE subscriber_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER subscribers_delete_subscriptions AFTER DELETE ON subscribers
    FOR EACH ROW EXECUTE FUNCTION subscriptions_on_subscriber_delete();

-- Only pending memberships carry a confirmation token: index those, not a
-- NULL for every imported member.
CREATE UNIQUE INDEX subscriptions_confirm_token_idx ON subscriptions (confirm_token) WHERE confirm_token IS NOT NULL;
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_confirm_token_key;

-- The folded unique index of 0060 makes the exact one redundant: one
-- index less to maintain on every insert.
DROP INDEX subscribers_email_key;

-- Memberships: the primary key leads with the subscriber, so it serves
-- every lookup by subscriber too, and the separate index on subscriber_id
-- goes. Lookups by list use subscriptions_list_status_idx; ON CONFLICT
-- (list_id, subscriber_id) infers the key whatever its column order.
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_pkey, ADD PRIMARY KEY (subscriber_id, list_id);
DROP INDEX subscriptions_subscriber_idx;

-- Tokens: an import makes each token from the new row's id, 12 hex digits,
-- then 128 random bits (34 characters), so such a token is found through
-- the primary key and is unique by its id. Only the other tokens (the
-- random 22-character ones made one at a time by Subscribe) need an index.
CREATE UNIQUE INDEX subscribers_token_random_key ON subscribers (token) WHERE length(token) <> 34;
ALTER TABLE subscribers DROP CONSTRAINT subscribers_token_key;
