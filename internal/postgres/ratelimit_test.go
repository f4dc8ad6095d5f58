package postgres_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"bulletin/internal/pgtest"
)

// Parallel hits on one key each get their own count: 1…n, no two alike,
// so a limit checked on the returned count cannot be raced.
func TestRateLimitHitsAreAtomic(t *testing.T) {
	db := pgtest.New(t)
	const n = 40
	got := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _, errs[i] = db.HitRateLimit(context.Background(), "login-email:a@example.org", 1, 15*time.Minute)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Ints(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("counts %v, want 1…%d", got, n)
		}
	}
	if c, _, err := db.HitRateLimit(context.Background(), "login-email:a@example.org", -1, 15*time.Minute); err != nil || c != n-1 {
		t.Fatalf("giving one back: %d, %v; want %d", c, err, n-1)
	}
}

// An ended window starts again at 1, and the sweep deletes ended windows
// only.
func TestRateLimitWindowsEndAndAreSwept(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO rate_limits (key, hits, window_end) VALUES
		('old', 99, now() - interval '1 second'), ('gone', 5, now() - interval '1 hour'), ('live', 3, now() + interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	if n, end, err := db.HitRateLimit(ctx, "old", 1, time.Hour); err != nil || n != 1 || time.Until(end) < 30*time.Minute {
		t.Fatalf("hit on an ended window: %d until %v, %v; want 1 in a new window", n, end, err)
	}
	swept, err := db.SweepRateLimits(ctx)
	if err != nil || swept != 1 {
		t.Fatalf("swept %d, %v; want 1 (gone)", swept, err)
	}
	var left []string
	rows, _ := db.Pool.Query(ctx, `SELECT key FROM rate_limits ORDER BY key`)
	for rows.Next() {
		var k string
		rows.Scan(&k)
		left = append(left, k)
	}
	if rows.Err() != nil || len(left) != 2 || left[0] != "live" || left[1] != "old" {
		t.Fatalf("left %v, %v; want live and old", left, rows.Err())
	}
	if err := db.ResetRateLimit(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := db.HitRateLimit(ctx, "live", 1, time.Hour); n != 1 {
		t.Fatalf("after reset: %d, want 1", n)
	}
}
