package postgres

import (
	"context"

	"bulletin/internal/bulletin"
)

// ArchiveSearchSQL exposes the all-SQL search (ts_rank, ts_headline) to the
// tests, which hold the in-process index to it.
func (db *DB) ArchiveSearchSQL(ctx context.Context, newsletterID int64, q string, limit, offset int) (*bulletin.SearchResult, error) {
	return db.archiveSearchSQL(ctx, newsletterID, q, limit, offset)
}
