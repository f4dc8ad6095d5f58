-- Baseline: newsletters, the lists each is sent to, and their sections.

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
