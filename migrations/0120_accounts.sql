-- Accounts: one-time links (an admin's invitation, a password reset). Only
-- the sha256 of a link's token is stored; a link is used at most once
-- (used_at) and not after expires_at. Using one marks every other open link
-- of the user used too.
CREATE TABLE account_links (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('invite', 'reset')),
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_links_user_idx ON account_links (user_id) WHERE used_at IS NULL;

-- "Forgot password" requests, as typed. The web request only inserts one
-- row, whatever the address, so its answer and timing say nothing about
-- whether an account exists; the notifier service turns a request for a
-- known address into a reset link and its email, in one transaction, and
-- deletes the request either way.
CREATE TABLE reset_requests (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
