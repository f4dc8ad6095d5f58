package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// SendAudience counts who a send of newsletter's issue would reach now,
// with the same rule as the fan-out: active subscribers with an active
// subscription to any of the newsletter's lists, each counted once.
func (db *DB) SendAudience(ctx context.Context, newsletter string) (*bulletin.Audience, error) {
	id, err := db.issueNLExists(ctx, newsletter)
	if err != nil {
		return nil, err
	}
	a := &bulletin.Audience{}
	rows, _ := db.Pool.Query(ctx, `SELECT l.name FROM lists l JOIN newsletter_lists nl ON nl.list_id = l.id
		WHERE nl.newsletter_id = $1 ORDER BY l.name`, id)
	if a.Lists, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, fmt.Errorf("send audience lists: %w", err)
	}
	err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscribers s WHERE s.status = 'active' AND EXISTS (
			SELECT 1 FROM subscriptions sub JOIN newsletter_lists nl ON nl.list_id = sub.list_id
			WHERE sub.subscriber_id = s.id AND sub.status = 'active' AND nl.newsletter_id = $1)`, id).Scan(&a.Active)
	if err != nil {
		return nil, fmt.Errorf("send audience count: %w", err)
	}
	return a, nil
}
