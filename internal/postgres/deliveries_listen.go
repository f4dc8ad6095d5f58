package postgres

import "context"

// deliveriesChannel is NOTIFYed by StartIssue when deliveries are created.
const deliveriesChannel = "bulletin_deliveries"

// ListenDeliveries calls wake whenever any process starts an issue, so idle
// senders on other machines begin at once instead of at their next poll.
// It holds one connection out of the pool, reconnects after errors (a
// PostgreSQL restart; the caller's poll covers the gap) and returns when
// ctx is done.
func (db *DB) ListenDeliveries(ctx context.Context, wake func()) error {
	return db.listenLoop(ctx, deliveriesChannel, wake)
}
