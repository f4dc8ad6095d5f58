-- Baseline: numbered issues, rendered once and stored as sent.

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
    -- Fan-out in chunks: the move to 'sending' commits with the first chunk
    -- of deliveries, later chunks follow in their own transactions.
    -- fanout_after is the last subscriber id fanned out while the fan-out is
    -- unfinished, NULL once it is done; a fan-out cut off by a crash is
    -- continued from there by any sender process.
    fanout_after  bigint,
    UNIQUE (newsletter_id, number),
    UNIQUE (newsletter_id, slot)
);
CREATE INDEX issues_due_idx ON issues (scheduled_at) WHERE status = 'scheduled';
