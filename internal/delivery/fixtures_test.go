package delivery_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/config"
	"bulletin/internal/delivery"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/smtp"
)

func TestMain(m *testing.M) {
	if os.Getenv(senderEnv) != "" {
		os.Exit(runSenderProcess())
	}
	pgtest.Main(m)
}

const issueHTML = `<html><body><p>Hi ` + bulletin.PlaceholderName + `,</p><p>News.</p>
<p><a href="` + bulletin.PlaceholderUnsubscribeURL + `">Unsubscribe</a> <a href="` + bulletin.PlaceholderPreferencesURL + `">Preferences</a></p></body></html>`

const issueText = "Hi " + bulletin.PlaceholderName + ",\n\nNews.\n\nUnsubscribe: " + bulletin.PlaceholderUnsubscribeURL + "\n"

// seed creates newsletter "weekly" with list "main", n active subscribers
// user1@example.org … and issue 1 (scheduled, not yet due). It returns the
// issue id.
func seed(t testing.TB, db *postgres.DB, n int) int64 {
	t.Helper()
	ctx := context.Background()
	var issueID int64
	err := db.Pool.QueryRow(ctx, `WITH nl AS (
			INSERT INTO newsletters (slug, name, from_name, from_email, reply_to)
			VALUES ('weekly', 'Weekly update', 'The Editors', 'news@example.org', 'editors@example.org') RETURNING id),
		l AS (INSERT INTO lists (slug, name) VALUES ('main', 'Main') RETURNING id),
		nll AS (INSERT INTO newsletter_lists SELECT nl.id, l.id FROM nl, l)
		INSERT INTO issues (newsletter_id, number, status, subject, html, text_body)
		SELECT id, 1, 'scheduled', 'Weekly update 1: news', $1, $2 FROM nl RETURNING id`, issueHTML, issueText).Scan(&issueID)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	addSubscribers(t, db, "main", 1, n)
	return issueID
}

// addSubscribers adds active subscribers user<from>…user<to> to list.
func addSubscribers(t testing.TB, db *postgres.DB, list string, from, to int) {
	t.Helper()
	_, err := db.Pool.Exec(context.Background(), `WITH s AS (
			INSERT INTO subscribers (email, name, token)
			SELECT 'user' || g || '@example.org', 'User ' || g, 'tok' || g || '-' || md5(random()::text)
			FROM generate_series($1::int, $2::int) g
			ON CONFLICT (lower(email COLLATE "C")) DO UPDATE SET email = excluded.email RETURNING id)
		INSERT INTO subscriptions (list_id, subscriber_id) SELECT (SELECT id FROM lists WHERE slug = $3), id FROM s`, from, to, list)
	if err != nil {
		t.Fatalf("add subscribers: %v", err)
	}
}

func email(i int) string { return fmt.Sprintf("user%d@example.org", i) }

func testLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func transport(s *sink) *smtp.Transport {
	return &smtp.Transport{SMTP: config.SMTP{Host: "127.0.0.1", Port: s.Port(), TLS: config.TLSNone},
		Envelope: "bounces@example.org"}
}

// fastConfig retries within milliseconds so tests finish quickly.
func fastConfig() delivery.Config {
	return delivery.Config{Conns: 3, Batch: 50, Poll: 20 * time.Millisecond, RetryBase: 10 * time.Millisecond,
		RetryMax: 50 * time.Millisecond, Lease: 30 * time.Second, BaseURL: "https://news.example.org"}
}

// sendAndWait sends issue 1 of "weekly" and waits until it is sent.
func sendAndWait(t *testing.T, db *postgres.DB, svc *delivery.Service, issue int64) {
	t.Helper()
	if _, err := svc.Send(context.Background(), "weekly", 1); err != nil {
		t.Fatal(err)
	}
	waitFinished(t, db, issue, fixture.WaitTimeout)
	checkCounts(t, db, issue)
}

// waitFinished waits up to d for the issue to become "sent", then checks
// that nothing of it is still pending: an issue finished too early (the
// finish query once missed a partition attached while it was planned)
// shows as that, not as messages missing from the sink a moment later.
func waitFinished(t testing.TB, db *postgres.DB, issue int64, d time.Duration) {
	t.Helper()
	waitFor(t, d, "issue sent", func() bool { return issueStatus(t, db, issue) == bulletin.IssueSent })
	var pending int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM deliveries WHERE issue_id = $1 AND status = 'pending'`,
		issue).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending > 0 {
		t.Fatalf("issue is sent with %d deliveries pending:\n%s", pending, deliveryTable(t, db, issue))
	}
}

// checkCounts compares the counts kept as deliveries change (what progress
// shows) with a count of the deliveries themselves.
func checkCounts(t testing.TB, db *postgres.DB, issue int64) {
	t.Helper()
	kept, err := db.IssueCounts(context.Background(), issue)
	if err != nil {
		t.Fatal(err)
	}
	var real bulletin.Counts
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*), count(*) FILTER (WHERE status = 'pending'),
		count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed')
		FROM deliveries WHERE issue_id = $1`, issue).Scan(&real.Total, &real.Pending, &real.Sent, &real.Failed); err != nil {
		t.Fatal(err)
	}
	if kept != real {
		t.Errorf("kept counts %+v, but the deliveries say %+v", kept, real)
	}
}

// startPool runs a pool until the test ends.
func startPool(t testing.TB, db *postgres.DB, s *sink, cfg delivery.Config) (*delivery.Pool, *delivery.Service) {
	t.Helper()
	p := &delivery.Pool{Config: cfg, Store: db, Transport: transport(s), Log: testLog(t)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pool: %v", err)
		}
	})
	return p, &delivery.Service{Store: db, Transport: transport(s), Config: cfg, Log: testLog(t), Wake: p.Wake}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func issueStatus(t testing.TB, db *postgres.DB, id int64) string {
	t.Helper()
	var s string
	if err := db.Pool.QueryRow(context.Background(), `SELECT status FROM issues WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatalf("issue status: %v", err)
	}
	return s
}

// delivery returns status and attempts of the delivery to address.
func deliveryOf(t testing.TB, db *postgres.DB, issueID int64, address string) (status string, attempts, code int) {
	t.Helper()
	err := db.Pool.QueryRow(context.Background(), `SELECT d.status, d.attempts, d.last_code FROM deliveries d
		JOIN subscribers s ON s.id = d.subscriber_id WHERE d.issue_id = $1 AND s.email = $2`, issueID, address).Scan(&status, &attempts, &code)
	if err != nil {
		t.Fatalf("delivery of %s: %v", address, err)
	}
	return status, attempts, code
}
