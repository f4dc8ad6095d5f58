package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"
)

// FindCounting implements bulletin.CountingService.
func (db *DB) FindCounting(ctx context.Context, newsletter string) (bulletin.Counting, error) {
	var c bulletin.Counting
	err := db.Pool.QueryRow(ctx, `SELECT count_clicks, count_opens FROM newsletters WHERE slug = $1`, newsletter).
		Scan(&c.Clicks, &c.Opens)
	return c, mapErr(err, fmt.Sprintf("newsletter %q", newsletter))
}

// SetCounting implements bulletin.CountingService. It applies to the
// issues sent afterwards, and to the redirects within the lookup cache's
// minute.
func (db *DB) SetCounting(ctx context.Context, newsletter string, c bulletin.Counting) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE newsletters SET count_clicks = $2, count_opens = $3, updated_at = now() WHERE slug = $1`,
		newsletter, c.Clicks, c.Opens)
	if err != nil {
		return fmt.Errorf("set counting: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bulletin.Errorf(bulletin.ENOTFOUND, "newsletter %q not found", newsletter)
	}
	return nil
}
