-- Indexes for the contributions queries: a contributor's own items, the
-- review queue in section order, and a user's tokens.
CREATE INDEX items_contributor_idx ON items (contributor_id);
CREATE INDEX items_order_idx ON items (newsletter_id, section_id, position) WHERE issue_id IS NULL;
CREATE INDEX items_status_idx ON items (status, newsletter_id);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
