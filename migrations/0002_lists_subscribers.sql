-- Baseline: mailing lists, the people on them and their per-list membership.

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

-- consent_* record the original request; confirmed_at and confirm_ip the
-- click in the confirmation email (the proof of consent); unsubscribed_at
-- when the address left the list.
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
    confirmed_at       timestamptz,
    confirm_ip         inet,
    unsubscribed_at    timestamptz,
    PRIMARY KEY (list_id, subscriber_id)
);
CREATE INDEX subscriptions_subscriber_idx ON subscriptions (subscriber_id);
-- Export and list counts read one list's members by status.
CREATE INDEX subscriptions_list_status_idx ON subscriptions (list_id, status);
