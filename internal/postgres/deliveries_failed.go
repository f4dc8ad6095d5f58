package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// FindDeliveryFailures lists an issue's failed deliveries with the
// subscriber's address (empty once erased) and the last SMTP reply, newest
// first. The admin issue page shows them.
func (db *DB) FindDeliveryFailures(ctx context.Context, issueID int64, limit int) ([]bulletin.DeliveryFailure, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT coalesce(s.email, '') AS email, d.attempts, d.last_code, d.last_reply, d.updated_at
		FROM deliveries d LEFT JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.issue_id = $1 AND d.status = 'failed' ORDER BY d.updated_at DESC, d.id DESC LIMIT $2`, issueID, limit)
	fs, err := pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.DeliveryFailure])
	if err != nil {
		return nil, fmt.Errorf("find delivery failures: %w", err)
	}
	return fs, nil
}
