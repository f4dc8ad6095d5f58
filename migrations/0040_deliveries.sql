-- Delivery engine: the index the rescuer and the issue finisher need (rows
-- under a lease), and the per-issue sender-configuration alarm.

-- Rows under a lease: the rescuer looks for expired ones, the finisher asks
-- whether an issue still has any. Small, because only in-flight rows are in it.
CREATE INDEX deliveries_sending_idx ON deliveries (issue_id, locked_until) WHERE status = 'sending';

-- 5.7.x policy rejections (DMARC, authentication, blocked sender) say the
-- sender is misconfigured, not that the address is bad. They are counted per
-- issue; past a threshold the issue is paused (paused_at set) until an
-- operator sends it again.
CREATE TABLE delivery_alarms (
    issue_id          bigint PRIMARY KEY REFERENCES issues ON DELETE CASCADE,
    policy_rejections integer NOT NULL DEFAULT 0,
    last_reply        text NOT NULL DEFAULT '',
    paused_at         timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
