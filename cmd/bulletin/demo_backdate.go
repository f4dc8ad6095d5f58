package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// demoHistoryReady is the line the demo logs once its history is sent and
// dated; the demo test waits for it.
const demoHistoryReady = "demo: history ready"

// backdateDemoHistory returns the demo service that waits for the sender to
// finish each of the history's issues (numbers 1 to weeks, compiled at a
// past slot by seedDemoHistory) and then moves that send back to its slot.
//
// The send itself is the real one: fan-out, the sender pool, SMTP into the
// capture. Only its clock is not: the store stamps a send's times with
// PostgreSQL's now(), and nothing lets a send happen in the past. So once an
// issue is sent, its times and its deliveries' move back by the same shift,
// slot minus compile time, in one transaction: the send keeps its real
// length and order, and reads as if the scheduler had compiled it at the
// slot. An issue is moved once: afterwards it was compiled at its slot.
// A demo resumed from --data-dir finds nothing left to move.
func (m *Main) backdateDemoHistory(weeks int) func(context.Context) error {
	return func(ctx context.Context) error {
		start := time.Now()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			moved, left, err := m.backdateSentHistory(ctx, weeks)
			if err != nil {
				if ctx.Err() == nil {
					m.Log.Warn("demo: history", "err", err)
				}
				return nil // a demo aid, not a service: never stop the demo over it
			}
			if moved > 0 {
				m.Log.Info("demo: history issues sent and dated back", "issues", moved, "left", left)
			}
			if left == 0 {
				m.Log.Info(demoHistoryReady, "issues", weeks, "took", time.Since(start).Round(time.Millisecond))
				return nil
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}

// backdateSentHistory dates back the history issues sent since the last
// call and says how many it moved and how many still wait to be sent.
func (m *Main) backdateSentHistory(ctx context.Context, weeks int) (moved, left int, err error) {
	// Not yet moved: created (compiled) more than an hour after its slot.
	const pending = `SELECT i.id, i.slot - i.created_at AS shift FROM issues i JOIN newsletters n ON n.id = i.newsletter_id
		WHERE n.is_default AND i.number <= $1 AND i.slot IS NOT NULL AND i.created_at > i.slot + interval '1 hour'`
	err = pgx.BeginFunc(ctx, m.DB.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `WITH h AS (`+pending+` AND i.status = 'sent' FOR UPDATE OF i),
			d AS (UPDATE deliveries x SET sent_at = x.sent_at + h.shift, updated_at = x.updated_at + h.shift,
				next_attempt_at = x.next_attempt_at + h.shift FROM h WHERE x.issue_id = h.id),
			c AS (UPDATE delivery_counts x SET sample_at = x.sample_at + h.shift, prev_at = x.prev_at + h.shift
				FROM h WHERE x.issue_id = h.id)
			UPDATE issues i SET created_at = i.created_at + h.shift, started_at = i.started_at + h.shift,
				sent_at = i.sent_at + h.shift, updated_at = i.updated_at + h.shift
			FROM h WHERE i.id = h.id`, weeks)
		if err != nil {
			return err
		}
		moved = int(tag.RowsAffected())
		return tx.QueryRow(ctx, `SELECT count(*) FROM (`+pending+`) p`, weeks).Scan(&left)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("date back the history: %w", err)
	}
	return moved, left, nil
}
