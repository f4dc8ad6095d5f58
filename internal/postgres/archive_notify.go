package postgres

import (
	"context"
	"fmt"
	"time"
)

// archiveChannel is NOTIFYed (by the triggers of migration 0095) when a
// transaction that changed what the public archive shows commits.
const archiveChannel = "bulletin_archive"

// ArchiveVersion returns the archive's version: it grows with every
// committed change that archive pages can show.
func (db *DB) ArchiveVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.Pool.QueryRow(ctx, `SELECT version FROM archive_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("archive version: %w", err)
	}
	return v, nil
}

// ListenArchive calls changed whenever any process commits a change to what
// the archive shows, and each time it (re)starts listening, since a change
// may have been missed meanwhile. It holds one connection out of the pool,
// reconnects after errors and returns when ctx is done.
func (db *DB) ListenArchive(ctx context.Context, changed func()) error {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		if db.listenOn(ctx, archiveChannel, changed) {
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
