-- The outbox: single messages (confirmation emails now; welcome, password
-- reset and acknowledgements later) queued in the transaction that causes
-- them and sent by the mail-queue service. kind names the renderer, payload
-- holds what it needs. A claim leases the row (locked_until) for longer than
-- one send may take; a crash between the send and its record can repeat a
-- message, never drop it. Failures are retried with back-off (next_attempt_at)
-- up to a limit, then the row is 'failed' with its last error.
CREATE TABLE mail_queue (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX mail_queue_due_idx ON mail_queue (next_attempt_at) WHERE status = 'pending';
