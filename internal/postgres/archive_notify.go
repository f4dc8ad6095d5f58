package postgres

import (
	"context"
	"fmt"
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
	return db.listenLoop(ctx, archiveChannel, changed)
}
