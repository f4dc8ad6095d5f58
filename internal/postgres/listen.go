package postgres

import (
	"context"
	"time"
)

// listenLoop calls wake whenever channel is NOTIFYed, and each time it
// (re)starts listening, since a notification may have been missed
// meanwhile. It holds one connection out of the pool, reconnects after
// errors (a PostgreSQL restart) with a growing pause, and returns when ctx
// is done.
func (db *DB) listenLoop(ctx context.Context, channel string, wake func()) error {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		if db.listenOn(ctx, channel, wake) {
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

// listenOn LISTENs on channel on one connection until it fails; it reports
// whether it got as far as listening.
func (db *DB) listenOn(ctx context.Context, channel string, wake func()) bool {
	pc, err := db.Pool.Acquire(ctx)
	if err != nil {
		return false
	}
	// A LISTENing connection must not go back to the pool, nor hold up the
	// pool's Close while it waits: take it out of the pool, and close it.
	conn := pc.Hijack()
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return false
	}
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true
		}
		wake()
	}
}
