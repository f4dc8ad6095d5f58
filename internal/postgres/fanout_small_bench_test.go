package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// BenchmarkFanOutSmallList: a newsletter whose list holds every
// BULLETIN_BENCH_EVERY-th (500th) of BULLETIN_BENCH_SUBSCRIBERS (1,000,000)
// subscribers, the rest on another newsletter's list: the time from the
// start of its send to its first chunk, and to the end of its fan-out.
//
//	go test ./internal/postgres -run '^$' -bench FanOutSmallList -benchtime 1x
func BenchmarkFanOutSmallList(b *testing.B) {
	n := envInt(b, "BULLETIN_BENCH_SUBSCRIBERS", 1_000_000)
	every := envInt(b, "BULLETIN_BENCH_EVERY", 500)
	ctx := context.Background()
	db := pgtest.New(b)
	for _, q := range []string{
		`INSERT INTO newsletters (slug, name, from_name, from_email) VALUES ('big', 'Big', 'E', 'e@example.org'), ('small', 'Small', 'E', 'e@example.org')`,
		`INSERT INTO lists (slug, name) VALUES ('big', 'Big'), ('small', 'Small')`,
		`INSERT INTO newsletter_lists SELECT n.id, l.id FROM newsletters n JOIN lists l ON l.slug = n.slug`,
		fmt.Sprintf(`INSERT INTO subscribers (email, name, token) SELECT 'r' || g || '@example.org', 'R', 't' || g || md5(g::text) FROM generate_series(1, %d) g`, n),
		`INSERT INTO subscriptions (list_id, subscriber_id) SELECT (SELECT id FROM lists WHERE slug = 'big'), id FROM subscribers`,
		fmt.Sprintf(`INSERT INTO subscriptions (list_id, subscriber_id) SELECT (SELECT id FROM lists WHERE slug = 'small'), id FROM subscribers WHERE id %% %d = 0`, every),
		`VACUUM ANALYZE subscribers`, `VACUUM ANALYZE subscriptions`,
	} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	for i := range b.N {
		var issue int64
		if err := db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status, subject, html, text_body)
			SELECT id, $1::int, 'draft', 'S', '<p>x</p>', 'x' FROM newsletters WHERE slug = 'small' RETURNING id`, i+1).Scan(&issue); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		first, err := db.StartIssue(ctx, issue, []string{bulletin.IssueDraft})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Since(t0)
		rest, err := db.FanOut(ctx, issue)
		if err != nil {
			b.Fatal(err)
		}
		all := time.Since(t0)
		b.ReportMetric(t1.Seconds(), "s/first-chunk")
		b.ReportMetric(all.Seconds(), "s/fan-out")
		fmt.Printf("%d subscribers, %d on the small list: first chunk %d in %v, all %d in %v\n", n, n/every, first, t1.Round(time.Millisecond), first+rest, all.Round(time.Millisecond))
	}
}
