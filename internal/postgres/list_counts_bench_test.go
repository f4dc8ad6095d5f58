package postgres_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// countBefore is CountList's query before migration 0180: a count of the
// list's memberships.
const countBefore = `SELECT count(*) FILTER (WHERE s.status = 'active'), count(*) FILTER (WHERE s.status = 'pending'),
	count(*) FILTER (WHERE s.status = 'unsubscribed')
	FROM lists l LEFT JOIN subscriptions s ON s.list_id = l.id WHERE l.slug = $1 GROUP BY l.id`

// BenchmarkCountList times a list's counts at scale: CountList (the kept
// counts of 0180) against, in the same run, the count it replaced, both
// with the list/status index it used (built for the comparison, as before
// 0181) and without it. The database holds a list of
// BULLETIN_BENCH_LIST_ROWS members (default 1,000,000) and a second list
// of a tenth as many. Each figure is the best of five.
//
//	go test -run '^$' -bench CountList -benchtime 1x ./internal/postgres/
func BenchmarkCountList(b *testing.B) {
	rows := envInt(b, "BULLETIN_BENCH_LIST_ROWS", 1_000_000)
	ctx := context.Background()
	for range b.N {
		db := pgtest.New(b)
		mustList(b, db, "big", false, true)
		mustList(b, db, "other", false, true)
		_, err := db.Pool.Exec(ctx, `WITH s AS (INSERT INTO subscribers (email, token)
				SELECT 'u' || g || '@example.org', 'tok' || g FROM generate_series(1, $1::int) g RETURNING id)
			INSERT INTO subscriptions (list_id, subscriber_id, status)
			SELECT l.id, s.id, CASE WHEN s.id % 20 = 1 THEN 'unsubscribed' WHEN s.id % 33 = 0 THEN 'pending' ELSE 'active' END
			FROM s, lists l WHERE l.slug = 'big' OR s.id % 10 = 0`, rows)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `VACUUM ANALYZE subscriptions`); err != nil {
			b.Fatal(err)
		}
		best := func(f func() (bulletin.ListCounts, error)) (time.Duration, bulletin.ListCounts) {
			var min time.Duration
			var c bulletin.ListCounts
			for i := range 5 {
				t0 := time.Now()
				var err error
				if c, err = f(); err != nil {
					b.Fatal(err)
				}
				if d := time.Since(t0); i == 0 || d < min {
					min = d
				}
			}
			return min, c
		}
		count := func() (bulletin.ListCounts, error) {
			var c bulletin.ListCounts
			err := db.Pool.QueryRow(ctx, countBefore, "big").Scan(&c.Active, &c.Pending, &c.Unsubscribed)
			return c, err
		}
		kept, got := best(func() (bulletin.ListCounts, error) { return db.CountList(ctx, "big") })
		bare, want := best(count)
		for _, sql := range []string{`CREATE INDEX subscriptions_list_status_idx ON subscriptions (list_id, status)`, `VACUUM ANALYZE subscriptions`} {
			if _, err := db.Pool.Exec(ctx, sql); err != nil {
				b.Fatal(err)
			}
		}
		indexed, _ := best(count)
		if got != want {
			b.Fatalf("CountList %+v, the count %+v", got, want)
		}
		load, _ := os.ReadFile("/proc/loadavg")
		fmt.Printf("count of a list of %d members (%d memberships in all), best of 5; load average %s", rows, rows+rows/10, load)
		fmt.Printf("  CountList (kept counts)                  %12s\n", kept.Round(time.Microsecond))
		fmt.Printf("  count(*) with the list/status index      %12s\n", indexed.Round(time.Microsecond))
		fmt.Printf("  count(*) without it                      %12s\n", bare.Round(time.Microsecond))
	}
}
