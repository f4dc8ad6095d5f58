package postgres

import (
	"context"
	"fmt"
	"time"
)

// HitRateLimit adds n (which may be negative, to give an attempt back) to
// key's count in its current window, starting a new window of length window
// when the last one ended, and returns the count after the addition and
// when the window ends. The upsert locks the row, so concurrent hits from
// every process are counted exactly: the check that follows the increment
// cannot be raced.
func (db *DB) HitRateLimit(ctx context.Context, key string, n int, window time.Duration) (int, time.Time, error) {
	var hits int
	var end time.Time
	err := db.Pool.QueryRow(ctx, `INSERT INTO rate_limits AS r (key, hits, window_end)
		VALUES ($1, greatest($2, 0), now() + $3 * interval '1 millisecond')
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN r.window_end <= now() THEN greatest($2, 0) ELSE greatest(r.hits + $2, 0) END,
			window_end = CASE WHEN r.window_end <= now() THEN now() + $3 * interval '1 millisecond' ELSE r.window_end END
		RETURNING hits, window_end`, key, n, window.Milliseconds()).Scan(&hits, &end)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return hits, end, nil
}

// ResetRateLimit forgets key, e.g. an address after its successful login.
func (db *DB) ResetRateLimit(ctx context.Context, key string) error {
	if _, err := db.Pool.Exec(ctx, `DELETE FROM rate_limits WHERE key = $1`, key); err != nil {
		return fmt.Errorf("reset rate limit %s: %w", key, err)
	}
	return nil
}

// SweepRateLimits deletes the rows whose window ended and returns how many.
func (db *DB) SweepRateLimits(ctx context.Context) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM rate_limits WHERE window_end <= now()`)
	if err != nil {
		return 0, fmt.Errorf("sweep rate limits: %w", err)
	}
	return tag.RowsAffected(), nil
}
