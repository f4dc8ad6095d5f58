-- Inbound mail (issue 13): every message addressed to Bulletin is stored
-- here first, then classified and acted on. processed_at is set in the
-- transaction that applies the message's effect, so processing it a
-- second time finds it processed and acts no more. dedupe_key is unique:
-- the same message delivered twice (an SMTP retry, an IMAP fetch repeated
-- after a crash, a webhook called again) is stored once.
CREATE TABLE inbound_messages (
    id            bigserial PRIMARY KEY,
    received_at   timestamptz NOT NULL DEFAULT now(),
    source        text NOT NULL CHECK (source IN ('smtp', 'imap', 'ses', 'postmark', 'demo')),
    dedupe_key    text NOT NULL UNIQUE,
    mail_from     text NOT NULL DEFAULT '', -- envelope sender; '' for a bounce
    rcpt_to       text NOT NULL DEFAULT '', -- envelope recipient
    message_id    text NOT NULL DEFAULT '',
    from_address  text NOT NULL DEFAULT '', -- the From header's address
    subject       text NOT NULL DEFAULT '',
    size          integer NOT NULL DEFAULT 0, -- bytes received
    raw           bytea NOT NULL,             -- up to BULLETIN_INBOUND_MAX_BYTES
    kind          text NOT NULL DEFAULT 'unknown'
                  CHECK (kind IN ('bounce', 'complaint', 'unsubscribe', 'contribution', 'autoreply', 'unknown')),
    status        text NOT NULL DEFAULT '',   -- DSN status (5.1.1) or provider status
    diagnostic    text NOT NULL DEFAULT '',
    permanent     boolean NOT NULL DEFAULT false,
    delivery_id   bigint,                     -- no key: deliveries are many and erased with their issue
    issue_id      bigint REFERENCES issues ON DELETE SET NULL,
    subscriber_id bigint REFERENCES subscribers ON DELETE SET NULL,
    item_id       bigint REFERENCES items ON DELETE SET NULL,
    user_id       bigint REFERENCES users ON DELETE SET NULL,
    verified      boolean NOT NULL DEFAULT false, -- the sender passed DKIM or a trusted DMARC result
    verify_method text NOT NULL DEFAULT '',
    effect        text NOT NULL DEFAULT '',   -- what was done, in words
    error         text NOT NULL DEFAULT '',
    processed_at  timestamptz
);
CREATE INDEX inbound_messages_kind_idx ON inbound_messages (kind, received_at DESC);
CREATE INDEX inbound_messages_received_idx ON inbound_messages (received_at DESC);
CREATE INDEX inbound_messages_issue_idx ON inbound_messages (issue_id, kind) WHERE issue_id IS NOT NULL;
CREATE INDEX inbound_messages_pending_idx ON inbound_messages (id) WHERE processed_at IS NULL;

-- Secrets Bulletin generates once and keeps: 'verp' keys the HMAC tag of
-- the bounce addresses. Inserted by the first process that needs one.
CREATE TABLE app_secrets (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Automatic replies per address and kind, for their rate limit: at most
-- a few per window, so a forged or looping sender cannot make Bulletin
-- a source of mail.
CREATE TABLE inbound_replies (
    address      text NOT NULL,
    kind         text NOT NULL,
    window_start timestamptz NOT NULL DEFAULT now(),
    sent         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (address, kind)
);

-- One vocabulary for how someone left a list.
ALTER TABLE subscriptions ADD COLUMN unsubscribed_how text
    CHECK (unsubscribed_how IN ('link', 'mailto', 'preferences', 'complaint', 'admin', 'import'));
