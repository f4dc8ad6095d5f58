-- Per-list membership timestamps: when the address was confirmed (and from
-- which IP: the click in the confirmation email is the proof of consent) and
-- when it left the list. consent_at/consent_method/consent_ip in 0001 record
-- the original request.
ALTER TABLE subscriptions
    ADD COLUMN confirmed_at    timestamptz,
    ADD COLUMN confirm_ip      inet,
    ADD COLUMN unsubscribed_at timestamptz;

-- Export and list counts read one list's members by status.
CREATE INDEX subscriptions_list_status_idx ON subscriptions (list_id, status);
