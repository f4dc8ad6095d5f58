package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// subscriberHistory is a query over the deliveries of subscriber $1, newest
// issue first, that reads as few partitions as the caller's LIMIT needs.
//
// deliveries is partitioned by issue (migration 0140), and a subscriber has
// at most one delivery per issue. "ORDER BY id DESC LIMIT n" over
// (subscriber_id, id) would merge every partition's index, one probe each,
// before the first row: it slows with every issue kept. Here the issues
// (a few dozen rows a year) are sorted in the order they were sent, and
// for each one in turn the LATERAL probes that issue's partition alone
// through its (issue_id, subscriber_id) key; the LIMIT ends the walk once
// it has its rows. The LIMIT 1 inside keeps the planner from flattening the
// LATERAL into a join over every partition.
//
// Issues are skipped when the subscriber cannot be in them: never started,
// finished before the subscriber existed (a delivery is only made during a
// fan-out, which ends before sent_at), or whose rows retention dropped
// (their counts are final; the bounce rule reads delivery_history there).
//
// The issues are sorted in a subquery (OFFSET 0 keeps it one), so the
// nested loop over them comes out in order and the LIMIT stops it.
//
// cols is read from d (the delivery) and i (its issue: id, newsletter_id,
// number); cond adds to the delivery's conditions and may use $2 onwards;
// tail follows the ORDER BY.
func subscriberHistory(cols, cond, tail string) string {
	return `SELECT ` + cols + ` FROM (
			SELECT i.id, i.newsletter_id, i.number, coalesce(i.started_at, i.sent_at, i.created_at) AS k FROM issues i
			WHERE i.status IN ('sending', 'sent', 'cancelled')
				AND coalesce(i.sent_at, 'infinity') >= (SELECT created_at FROM subscribers WHERE id = $1)
				AND NOT EXISTS (SELECT 1 FROM delivery_counts c WHERE c.issue_id = i.id AND c.final_at IS NOT NULL)
			ORDER BY k DESC, i.id DESC OFFSET 0) i
		CROSS JOIN LATERAL (
			SELECT d.* FROM deliveries d WHERE d.issue_id = i.id AND d.subscriber_id = $1` + cond + ` LIMIT 1) d
		ORDER BY i.k DESC, i.id DESC ` + tail
}

// lastDeliveryTo finds the last message (sent or failed, not pending) to
// an address: the delivery a bounce without a VERP address is about.
func lastDeliveryTo(ctx context.Context, tx pgx.Tx, email string) (id, issue int64, err error) {
	var sub int64
	err = tx.QueryRow(ctx, `SELECT id FROM subscribers WHERE lower(email) = lower($1) ORDER BY id LIMIT 1`, email).Scan(&sub)
	if err != nil {
		return 0, 0, err
	}
	err = tx.QueryRow(ctx, subscriberHistory(`d.id, d.issue_id`, ` AND d.status <> 'pending'`, `LIMIT 1`), sub).Scan(&id, &issue)
	return id, issue, err
}

// lastIssueSent is the last issue sent to the subscriber, if any.
func lastIssueSent(ctx context.Context, tx pgx.Tx, sub int64) (int64, bool, error) {
	var issue int64
	err := tx.QueryRow(ctx, subscriberHistory(`d.issue_id`, ` AND d.status = 'sent'`, `LIMIT 1`), sub).Scan(&issue)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("last issue sent: %w", err)
	}
	return issue, true, nil
}
