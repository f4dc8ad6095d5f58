-- Progress without counting: an issue's delivery counts are kept as they
-- change, so the progress the admin page polls every second and /metrics
-- costs one row, not a scan of every delivery (400 ms at a million).
-- total grows with each fan-out chunk, sent with each grouped commit of
-- 250s, failed with each final failure. Two samples of (time, sent), taken
-- at least 10 s apart by the commits of 250s, give the current send rate.
CREATE TABLE delivery_counts (
    issue_id    bigint PRIMARY KEY REFERENCES issues ON DELETE CASCADE,
    total       bigint NOT NULL DEFAULT 0,
    sent        bigint NOT NULL DEFAULT 0,
    failed      bigint NOT NULL DEFAULT 0,
    sample_at   timestamptz NOT NULL DEFAULT now(),
    sample_sent bigint NOT NULL DEFAULT 0,
    prev_at     timestamptz NOT NULL DEFAULT now(),
    prev_sent   bigint NOT NULL DEFAULT 0
);

INSERT INTO delivery_counts (issue_id, total, sent, failed, sample_sent, prev_sent)
SELECT issue_id, count(*), count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'sent')
FROM deliveries GROUP BY issue_id;
