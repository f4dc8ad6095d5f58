-- Notifications by email, each switchable on the user's settings page.
-- last_digest_at is when the editor's last digest of new submissions was
-- queued: it moves in the same transaction, so at most one digest per
-- period goes out whatever number of processes look.
ALTER TABLE users
    ADD COLUMN notify_digest      boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_review      boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_published   boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_send_report boolean NOT NULL DEFAULT true,
    ADD COLUMN last_digest_at     timestamptz;

-- notified_at: the "published in" emails and the send report of a sent
-- issue were queued. Issues sent before this migration count as notified.
ALTER TABLE issues ADD COLUMN notified_at timestamptz;
UPDATE issues SET notified_at = now() WHERE status = 'sent';
CREATE INDEX issues_unnotified_idx ON issues (id) WHERE status = 'sent' AND notified_at IS NULL;
