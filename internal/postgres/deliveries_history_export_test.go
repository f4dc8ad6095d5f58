package postgres

import (
	"context"

	"bulletin/internal/inbound"

	"github.com/jackc/pgx/v5"
)

// HardFailureRun runs the bounce rule's history read in a transaction,
// for the deliveries-at-scale benchmark.
func (db *DB) HardFailureRun(ctx context.Context, sub, upTo int64, limit int) (n int, err error) {
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		n, err = hardFailureRun(ctx, tx, sub, upTo, limit)
		return err
	})
	return n, err
}

// FindVERPDelivery reads the issue of the delivery a VERP address names,
// by the lookup bounces use (issue 0: an address of the first format).
func (db *DB) FindVERPDelivery(ctx context.Context, id, issue int64) (int64, error) {
	where, args := deliveryByID(inbound.Action{DeliveryID: id, IssueID: issue})
	var found int64
	err := db.Pool.QueryRow(ctx, `SELECT issue_id FROM deliveries WHERE `+where, args...).Scan(&found)
	return found, err
}
