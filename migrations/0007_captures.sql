-- Baseline: messages kept by the built-in SMTP capture (demo and development).

CREATE TABLE captured_messages (
    id          bigserial PRIMARY KEY,
    mail_from   text NOT NULL,
    rcpt_to     text[] NOT NULL,
    subject     text NOT NULL DEFAULT '',
    data        bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
