package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/templates"

	"github.com/alexedwards/scs/pgxstore"
)

// BenchmarkReports renders the reports of a newsletter with 200 sent
// issues of 10 items and 15 counted links each, a list of 1,000,000
// subscriptions coming and going over four years, and 10 million clicks
// (kept as the redirect keeps them: per link and day), over real HTTP on
// loopback against a real PostgreSQL. Run with
//
//	go test ./internal/web/ -run '^$' -bench Reports -benchtime 20x
//
// BULLETIN_BENCH_SUBSCRIBERS and BULLETIN_BENCH_CLICKS set smaller
// volumes for a quick run. Besides ns/op each page reports its median and
// slowest render in ms; the limit is 200 ms.
//
// Deliveries are not seeded: reports read the counts kept per issue
// (delivery_counts), never the deliveries, so their number does not enter.
func BenchmarkReports(b *testing.B) {
	subs := benchEnv(b, "BULLETIN_BENCH_SUBSCRIBERS", 1_000_000)
	clicks := benchEnv(b, "BULLETIN_BENCH_CLICKS", 10_000_000)
	db := pgtest.New(b)
	start := time.Now()
	seedBenchReports(b, db, subs, clicks)
	b.Logf("seeded %d subscriptions, 200 issues, %d clicks in %s", subs, clicks, time.Since(start).Round(time.Second))

	if r, err := db.IssueReport(context.Background(), "weekly", 150); err == nil {
		b.Logf("issue 150: %d recipients, %d bounced, %d complaints, %d unsubscribes, %d clicks on %d links",
			r.Recipients, r.Bounced, r.Complaints, r.Unsubscribes, r.Clicks, len(r.Links))
	}
	s := wired(db)
	s.Sessions, s.Compiler = pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}
	s.Log, s.Templates, s.BaseURL = slog.New(slog.NewTextHandler(io.Discard, nil)), templates.Builtin(), "http://localhost:8080"
	h, err := s.Handler()
	if err != nil {
		b.Fatal(err)
	}
	editor := &bulletin.User{ID: 1, Email: "editor@example.org", Role: bulletin.RoleEditor}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(withUser(r.Context(), editor)))
	}))
	b.Cleanup(ts.Close)
	base := ts.URL
	for _, p := range []struct{ name, path string }{
		{"IssueReportPage", "/admin/issues/weekly/150/report"},
		{"IssueReportJSON", "/api/v1/newsletters/weekly/issues/150/report"},
		{"IssueReportCSV", "/admin/issues/weekly/150/report.csv"},
		{"ReportsPage104w", "/admin/reports?weeks=104"},
		{"GrowthJSON208w", "/api/v1/lists/readers/growth?weeks=208"},
		{"Dashboard", "/admin/"},
	} {
		b.Run(p.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				resp, err := http.Get(base + p.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", p.path, resp.StatusCode)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
		})
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average: %s (limit: 200 ms per render)", strings.TrimSpace(string(la)))
	}
}

func benchEnv(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// seedBenchReports writes the volume with generate_series, through the
// same triggers that keep list_growth in production.
func seedBenchReports(b *testing.B, db *postgres.DB, subs, clicks int) {
	b.Helper()
	ctx := context.Background()
	t0 := time.Date(2022, 12, 5, 9, 0, 0, 0, time.UTC) // four years of weeks before December 2026
	linkDays := 200 * 15 * 30                          // issues × links × days with clicks
	for _, q := range []string{
		`INSERT INTO newsletters (slug, name, is_default, from_email) VALUES ('weekly', 'Weekly update', true, 'news@example.org')`,
		`INSERT INTO lists (slug, name) VALUES ('readers', 'Readers')`,
		`INSERT INTO newsletter_lists SELECT n.id, l.id FROM newsletters n, lists l`,
		fmt.Sprintf(`INSERT INTO subscribers (email, token, status)
			SELECT 'reader' || g || '@example.org', 'benchtoken' || g, CASE WHEN g %% 97 = 0 THEN 'bounced' ELSE 'active' END
			FROM generate_series(1, %d) g`, subs),
		// Joined evenly over 208 weeks; one in 12 left, by every how.
		fmt.Sprintf(`INSERT INTO subscriptions (list_id, subscriber_id, status, consent_at, consent_method, confirmed_at,
				unsubscribed_at, unsubscribed_how)
			SELECT l.id, s.id, CASE WHEN s.id %% 12 = 0 THEN 'unsubscribed' ELSE 'active' END,
				$1::timestamptz + (s.id::float8 / %d) * interval '208 weeks', 'form',
				$1::timestamptz + (s.id::float8 / %d) * interval '208 weeks',
				CASE WHEN s.id %% 12 = 0 THEN $1::timestamptz + (s.id::float8 / %d) * interval '208 weeks' + interval '9 days' END,
				CASE WHEN s.id %% 12 = 0 THEN (ARRAY['link','mailto','preferences','complaint','admin','import'])[1 + (s.id / 12) %% 6] END
			FROM subscribers s, lists l`, subs, subs, subs),
		`INSERT INTO issues (newsletter_id, number, status, subject, html, text_body, started_at, sent_at)
			SELECT n.id, g, 'sent', 'Weekly update ' || g, '<p>x</p>', 'x', $1::timestamptz + (g + 7) * interval '1 week',
				$1::timestamptz + (g + 7) * interval '1 week' + interval '2 hours'
			FROM newsletters n, generate_series(1, 200) g`,
		`UPDATE newsletters SET last_number = 200`,
		`INSERT INTO items (newsletter_id, issue_id, title, status, issue_position, url)
			SELECT i.newsletter_id, i.id, 'Item ' || k || ' of issue ' || i.number, 'approved', k, 'https://example.org/' || i.number || '/' || k
			FROM issues i, generate_series(1, 10) k`,
		`INSERT INTO issue_links (issue_id, link_no, url, item_id)
			SELECT i.id, k, 'https://example.org/' || i.number || '/' || k,
				(SELECT t.id FROM items t WHERE t.issue_id = i.id AND t.issue_position = k)
			FROM issues i, generate_series(1, 15) k`,
		// Clicks per link and day for 30 days, falling off after the send.
		fmt.Sprintf(`INSERT INTO link_clicks (issue_id, link_no, day, clicks)
			SELECT l.issue_id, l.link_no, (i.started_at AT TIME ZONE 'UTC')::date + d,
				greatest(1, round(%d::numeric / %d * 2 * (30 - d) / 31 * (1 + (l.link_no %% 5)) / 3))
			FROM issue_links l JOIN issues i ON i.id = l.issue_id, generate_series(0, 29) d`, clicks, linkDays),
		fmt.Sprintf(`INSERT INTO delivery_counts (issue_id, total, sent, failed)
			SELECT id, %d, %d - number, number FROM issues`, subs, subs),
		`INSERT INTO inbound_messages (source, dedupe_key, raw, kind, status, issue_id, received_at)
			SELECT 'demo', 'bench' || i.id || '-' || g, '', CASE WHEN g % 10 = 0 THEN 'complaint' ELSE 'bounce' END, '5.1.1', i.id,
				i.started_at + interval '1 hour'
			FROM issues i, generate_series(1, 50) g`,
		`ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, t0)
		}
		if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	var total int64
	if err := db.Pool.QueryRow(ctx, `SELECT sum(clicks) FROM link_clicks`).Scan(&total); err != nil {
		b.Fatal(err)
	}
	b.Logf("clicks stored: %d in %d rows", total, linkDays)
}
