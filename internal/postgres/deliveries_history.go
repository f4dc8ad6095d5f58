package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// subscriberHistory is a query over the deliveries of subscriber $1,
// newest issue first, that reads as few partitions as it needs: the
// function subscriber_deliveries (migration 0141) walks the issues in the
// order they were sent and reads each one's partition by name until it
// has $4 rows ($2: deliveries up to this id, $3: of these statuses; NULL
// for no bound). On the partitioned parent, the same read would probe,
// plan and lock every kept issue's partition.
//
// cols is read from d (the delivery, with its ordinality) and, when join
// adds it, i (its issue).
func subscriberHistory(cols, join string) string {
	return `SELECT ` + cols + ` FROM subscriber_deliveries($1, $2, $3, $4) WITH ORDINALITY d ` + join + `
		ORDER BY d.ordinality`
}

// finished are the statuses of a delivery that was attempted for good.
var finished = []string{"sent", "failed"}

// lastDeliveryTo finds the last message (sent or failed, not pending) to
// an address: the delivery a bounce without a VERP address is about.
func lastDeliveryTo(ctx context.Context, tx pgx.Tx, email string) (id, issue int64, err error) {
	var sub int64
	err = tx.QueryRow(ctx, `SELECT id FROM subscribers WHERE lower(email) = lower($1) ORDER BY id LIMIT 1`, email).Scan(&sub)
	if err != nil {
		return 0, 0, err
	}
	err = tx.QueryRow(ctx, subscriberHistory(`d.id, d.issue_id`, ``), sub, nil, finished, 1).Scan(&id, &issue)
	return id, issue, err
}

// lastIssueSent is the last issue sent to the subscriber, if any.
func lastIssueSent(ctx context.Context, tx pgx.Tx, sub int64) (int64, bool, error) {
	var issue int64
	err := tx.QueryRow(ctx, subscriberHistory(`d.issue_id`, ``), sub, nil, []string{"sent"}, 1).Scan(&issue)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("last issue sent: %w", err)
	}
	return issue, true, nil
}
