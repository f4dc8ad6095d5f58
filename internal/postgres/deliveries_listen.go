package postgres

import (
	"context"
	"time"
)

// deliveriesChannel is NOTIFYed by StartIssue when deliveries are created.
const deliveriesChannel = "bulletin_deliveries"

// ListenDeliveries calls wake whenever any process starts an issue, so idle
// senders on other machines begin at once instead of at their next poll.
// It holds one connection out of the pool, reconnects after errors (a
// PostgreSQL restart) and returns when ctx is done.
func (db *DB) ListenDeliveries(ctx context.Context, wake func()) error {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		// An error means the server went away; the caller's poll covers
		// the gap until we are back.
		if listening := db.listen(ctx, wake); listening {
			wait = 100 * time.Millisecond
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		wait = min(2*wait, 5*time.Second)
	}
	return nil
}

// listen LISTENs on one connection until it fails; it reports whether it
// got as far as listening.
func (db *DB) listen(ctx context.Context, wake func()) bool {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return false
	}
	// A LISTENing connection must not go back to the pool: close it.
	defer func() { _ = conn.Conn().Close(context.WithoutCancel(ctx)); conn.Release() }()
	if _, err := conn.Exec(ctx, "LISTEN "+deliveriesChannel); err != nil {
		return false
	}
	wake() // a notification may have been missed while we were away
	for {
		if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
			return true
		}
		wake()
	}
}
