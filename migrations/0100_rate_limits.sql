-- Rate limits shared by every serve process: one row per key (a login
-- address, a client IP, a subscriber address) counting hits in a fixed
-- window. A hit is one upsert, so concurrent requests count exactly.
-- Rows whose window ended are swept periodically.
CREATE TABLE rate_limits (
    key        text PRIMARY KEY,
    hits       integer NOT NULL,
    window_end timestamptz NOT NULL
);

CREATE INDEX rate_limits_window_end_idx ON rate_limits (window_end);
