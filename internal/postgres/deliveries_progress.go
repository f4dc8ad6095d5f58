package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"
)

// IssueProgress reads an issue's counts (kept as they change, migration
// 0044), its send rate over the last 10–20 s and the time left at that
// rate.
func (db *DB) IssueProgress(ctx context.Context, issueID int64) (*bulletin.Progress, error) {
	var p bulletin.Progress
	var paused *bool
	var alarm *string
	err := db.Pool.QueryRow(ctx, `SELECT coalesce(c.total, 0), coalesce(c.sent, 0), coalesce(c.failed, 0),
			coalesce((c.sent - c.prev_sent) / greatest(extract(epoch FROM now() - c.prev_at), 1), 0)::float8,
			(SELECT paused_at IS NOT NULL FROM delivery_alarms WHERE issue_id = $1),
			(SELECT last_reply FROM delivery_alarms WHERE issue_id = $1),
			coalesce((SELECT status = 'sending' AND fanout_after IS NOT NULL FROM issues WHERE id = $1), false)
		FROM (SELECT $1::bigint AS id) i LEFT JOIN delivery_counts c ON c.issue_id = i.id`, issueID).Scan(
		&p.Total, &p.Sent, &p.Failed, &p.Rate, &paused, &alarm, &p.FanningOut)
	if err != nil {
		return nil, fmt.Errorf("issue progress: %w", err)
	}
	p.Pending = p.Total - p.Sent - p.Failed
	if p.Rate > 0 {
		p.ETA = float64(p.Pending) / p.Rate
	}
	p.Paused = paused != nil && *paused
	if alarm != nil {
		p.Alarm = *alarm
	}
	return &p, nil
}

// PendingDeliveries counts pending rows, in flight or not, over all
// issues: the queue depth.
func (db *DB) PendingDeliveries(ctx context.Context) (int64, error) {
	var n int64
	err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(total - sent - failed), 0) FROM delivery_counts`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("queue depth: %w", err)
	}
	return n, nil
}

// RecordPolicyRejection counts a 5.7.x refusal and pauses the issue once
// the count reaches pauseAfter.
func (db *DB) RecordPolicyRejection(ctx context.Context, issueID int64, reply string, pauseAfter int) (bool, error) {
	var paused bool
	err := db.Pool.QueryRow(ctx, `INSERT INTO delivery_alarms AS a (issue_id, policy_rejections, last_reply, paused_at)
		VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN now() END)
		ON CONFLICT (issue_id) DO UPDATE SET policy_rejections = a.policy_rejections + 1, last_reply = $2,
			paused_at = coalesce(a.paused_at, CASE WHEN a.policy_rejections + 1 >= $3 THEN now() END), updated_at = now()
		RETURNING paused_at IS NOT NULL AND policy_rejections = $3`, issueID, reply, pauseAfter).Scan(&paused)
	if err != nil {
		return false, fmt.Errorf("record policy rejection: %w", err)
	}
	return paused, nil
}
