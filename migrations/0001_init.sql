-- The core tables every stage reads or writes. Later migrations add indexes
-- and columns; this file is never edited once applied.

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('admin', 'editor', 'contributor')),
    password_hash text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    name         text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL UNIQUE, -- sha256 of the token; the token itself is never stored
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Web sessions (alexedwards/scs pgxstore layout).
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE lists (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    public       boolean NOT NULL DEFAULT false,
    double_optin boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE newsletters (
    id               bigserial PRIMARY KEY,
    slug             text NOT NULL UNIQUE,
    name             text NOT NULL,
    description      text NOT NULL DEFAULT '',
    from_name        text NOT NULL DEFAULT '',
    from_email       text NOT NULL DEFAULT '',
    reply_to         text NOT NULL DEFAULT '',
    schedule         text NOT NULL DEFAULT '',
    subject_template text NOT NULL DEFAULT '',
    intro            text NOT NULL DEFAULT '',
    auto_send        boolean NOT NULL DEFAULT false,
    send_delay       interval NOT NULL DEFAULT '0',
    last_number      integer NOT NULL DEFAULT 0,
    is_default       boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- At most one default newsletter.
CREATE UNIQUE INDEX newsletters_default_key ON newsletters (is_default) WHERE is_default;

CREATE TABLE newsletter_lists (
    newsletter_id bigint NOT NULL REFERENCES newsletters ON DELETE CASCADE,
    list_id       bigint NOT NULL REFERENCES lists ON DELETE CASCADE,
    PRIMARY KEY (newsletter_id, list_id)
);

CREATE TABLE sections (
    id            bigserial PRIMARY KEY,
    newsletter_id bigint NOT NULL REFERENCES newsletters ON DELETE CASCADE,
    slug          text NOT NULL,
    name          text NOT NULL,
    position      integer NOT NULL DEFAULT 0,
    UNIQUE (newsletter_id, slug)
);

CREATE TABLE issues (
    id            bigserial PRIMARY KEY,
    newsletter_id bigint NOT NULL REFERENCES newsletters ON DELETE CASCADE,
    number        integer NOT NULL CHECK (number > 0),
    slot          timestamptz, -- the schedule slot that compiled it; NULL for a manual compile
    status        text NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
    subject       text NOT NULL DEFAULT '',
    preheader     text NOT NULL DEFAULT '',
    html          text NOT NULL DEFAULT '', -- inlined HTML with personal placeholders
    text_body     text NOT NULL DEFAULT '',
    scheduled_at  timestamptz,
    started_at    timestamptz,
    sent_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (newsletter_id, number),
    UNIQUE (newsletter_id, slot)
);
CREATE INDEX issues_due_idx ON issues (scheduled_at) WHERE status = 'scheduled';

CREATE TABLE items (
    id             bigserial PRIMARY KEY,
    newsletter_id  bigint NOT NULL REFERENCES newsletters ON DELETE CASCADE,
    section_id     bigint REFERENCES sections ON DELETE SET NULL,
    issue_id       bigint REFERENCES issues ON DELETE SET NULL,
    contributor_id bigint REFERENCES users ON DELETE SET NULL,
    kind           text NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'link')),
    title          text NOT NULL,
    body           text NOT NULL DEFAULT '',
    body_html      text NOT NULL DEFAULT '',
    url            text NOT NULL DEFAULT '',
    source         text NOT NULL DEFAULT '',
    closing        boolean NOT NULL DEFAULT false,
    status         text NOT NULL DEFAULT 'submitted'
                   CHECK (status IN ('submitted', 'approved', 'rejected')),
    position       integer NOT NULL DEFAULT 0, -- order within its section while under review
    issue_position integer,                    -- order within its issue, set when compiled
    review_note    text NOT NULL DEFAULT '',
    reviewed_by    bigint REFERENCES users ON DELETE SET NULL,
    approved_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    search         tsvector GENERATED ALWAYS AS (
                       setweight(to_tsvector('english', title), 'A') ||
                       setweight(to_tsvector('english', body), 'B') ||
                       setweight(to_tsvector('english', source), 'C')) STORED
);
CREATE INDEX items_search_idx ON items USING gin (search);
CREATE INDEX items_issue_idx ON items (issue_id, issue_position);
-- The compile query: approved items not yet in an issue.
CREATE INDEX items_ready_idx ON items (newsletter_id) WHERE status = 'approved' AND issue_id IS NULL;

CREATE TABLE subscribers (
    id           bigserial PRIMARY KEY,
    email        text NOT NULL, -- normalised: domain lower-cased, local part as given
    name         text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'active'
                 CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced', 'blocklisted')),
    token        text NOT NULL UNIQUE, -- base64url of 16+ random bytes, for personal links
    hard_bounces integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX subscribers_email_key ON subscribers (email);

CREATE TABLE subscriptions (
    list_id            bigint NOT NULL REFERENCES lists ON DELETE CASCADE,
    subscriber_id      bigint NOT NULL REFERENCES subscribers ON DELETE CASCADE,
    status             text NOT NULL DEFAULT 'active'
                       CHECK (status IN ('pending', 'active', 'unsubscribed')),
    consent_at         timestamptz,
    consent_method     text NOT NULL DEFAULT '', -- form, api, import, admin
    consent_ip         inet,
    confirm_token      text UNIQUE,
    confirm_expires_at timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, subscriber_id)
);
CREATE INDEX subscriptions_subscriber_idx ON subscriptions (subscriber_id);

-- Messages kept by the built-in SMTP capture (demo and development).
CREATE TABLE captured_messages (
    id          bigserial PRIMARY KEY,
    mail_from   text NOT NULL,
    rcpt_to     text[] NOT NULL,
    subject     text NOT NULL DEFAULT '',
    data        bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- One issue to one subscriber. The sender pool claims pending rows with
-- FOR UPDATE SKIP LOCKED under a lease (locked_until).
CREATE TABLE deliveries (
    id              bigserial PRIMARY KEY,
    issue_id        bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
    subscriber_id   bigint REFERENCES subscribers ON DELETE SET NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_code       integer NOT NULL DEFAULT 0,
    last_reply      text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issue_id, subscriber_id)
);
CREATE INDEX deliveries_pending_idx ON deliveries (issue_id, next_attempt_at) WHERE status = 'pending';
