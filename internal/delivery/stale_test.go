package delivery_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Tests of issue 16 defect 8: a pooled connection the server dropped while
// it sat idle must not cost a delivery an attempt.

// idleSink is a sink that closes connections idle for d, as real servers
// do after 60-300 s: go-smtp answers "421 4.4.2 Idle timeout" and hangs up.
func idleSink(t *testing.T, d time.Duration) *sink { return fixture.NewIdleSMTPSink(t, d) }

// stalePool runs a pool with metrics until the test ends and returns the
// stale-connection counter.
func stalePool(t *testing.T, db *postgres.DB, s *sink, cfg delivery.Config) (*delivery.Service, prometheus.Counter) {
	t.Helper()
	m := delivery.NewMetrics(prometheus.NewRegistry(), nil, 0)
	p := &delivery.Pool{Config: cfg, Store: db, Transport: transport(s), Metrics: m, Log: testLog(t)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &delivery.Service{Store: db, Transport: transport(s), Config: cfg, Log: testLog(t), Wake: p.Wake}, m.Stale
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// addIssue adds issue number of "weekly", scheduled, and returns its id.
func addIssue(t *testing.T, db *postgres.DB, number int) int64 {
	t.Helper()
	var id int64
	err := db.Pool.QueryRow(context.Background(), `INSERT INTO issues (newsletter_id, number, status, subject, html, text_body)
		SELECT newsletter_id, $1::int, 'scheduled', 'Weekly update ' || $1::int, html, text_body FROM issues WHERE number = 1 RETURNING id`,
		number).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func sendNumber(t *testing.T, db *postgres.DB, svc *delivery.Service, number int, issue int64) {
	t.Helper()
	if _, err := svc.Send(context.Background(), "weekly", number); err != nil {
		t.Fatal(err)
	}
	waitFinished(t, db, issue, fixture.WaitTimeout)
	checkCounts(t, db, issue)
}

// The next issue after a pause: every pooled connection was dropped by the
// server, yet every delivery goes out on its first attempt.
func TestConnectionsDroppedWhileIdleCostNoAttempt(t *testing.T) {
	db := pgtest.New(t)
	const n = 6
	first := seed(t, db, n)
	second := addIssue(t, db, 2)
	s := idleSink(t, 300*time.Millisecond)
	cfg := fastConfig()
	cfg.IdleClose = -1 // only the redial is under test here
	svc, stale := stalePool(t, db, s, cfg)
	sendNumber(t, db, svc, 1, first)
	// The server times out every connection the pool keeps.
	waitFor(t, 30*time.Second, "the server closing the idle connections", func() bool { return s.OpenConns() == 0 })

	sendNumber(t, db, svc, 2, second)
	for i := 1; i <= n; i++ {
		if got := s.Received(email(i)); got != 2 {
			t.Errorf("%s received %d messages, want 2 (one per issue)", email(i), got)
		}
		if status, attempts, _ := deliveryOf(t, db, second, email(i)); status != bulletin.DeliverySent || attempts != 1 {
			t.Errorf("%s: %s after %d attempts, want sent after 1: a dead pooled connection is not the delivery's failure", email(i), status, attempts)
		}
	}
	if got := counterValue(t, stale); got < 1 {
		t.Errorf("stale connections counted: %v; the test did not meet one", got)
	}
}

// The sequence from issue 16: a good address gets a 451, then its
// connection drops mid-message, and each retry comes after the server has
// timed out every pooled connection (421 Idle timeout, then a broken pipe
// on the next write). With three attempts allowed it is delivered, on its
// third, and none was spent on a dead connection.
func TestRetriesAfter451AndDropAreNotSpentOnDeadConnections(t *testing.T) {
	db := pgtest.New(t)
	const n = 4
	issue := seed(t, db, n)
	s := idleSink(t, 200*time.Millisecond)
	good := email(2)
	s.Refuse = func(rcpt string, k int) *smtp.SMTPError {
		if rcpt == good && k == 1 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}
		return nil
	}
	s.DropData = func(rcpt string, k int) bool { return rcpt == good && k == 2 }
	cfg := fastConfig()
	cfg.IdleClose = -1
	cfg.MaxAttempts = 3
	// Each retry waits longer than the server keeps an idle connection.
	cfg.RetryBase, cfg.RetryMax = 600*time.Millisecond, 600*time.Millisecond
	svc, stale := stalePool(t, db, s, cfg)
	sendNumber(t, db, svc, 1, issue)

	status, attempts, code := deliveryOf(t, db, issue, good)
	if status != bulletin.DeliverySent || attempts != 3 || code != 250 {
		t.Errorf("the good address: %s after %d attempts (last code %d), want sent after 3 (451, dropped, delivered)", status, attempts, code)
	}
	checkDelivered(t, s, n, 0)
	rcpts := s.Tries(good)
	if rcpts != 3 {
		t.Errorf("the server saw %d RCPTs for %s, want 3: one per counted attempt", rcpts, good)
	}
	if got := counterValue(t, stale); got < 2 {
		t.Errorf("stale connections counted: %v, want at least 2 (one per retry)", got)
	}
}

// A server that refuses every message at once with 421 is not a stale
// connection: the redial is bounded, the attempts count, and the
// deliveries fail after MaxAttempts.
func TestAServerThatAlwaysAnswers421StillFailsDeliveries(t *testing.T) {
	db := pgtest.New(t)
	const n = 3
	issue := seed(t, db, n)
	s := newSink(t)
	s.MailErr = func() *smtp.SMTPError {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "service not available"}
	}
	cfg := fastConfig()
	cfg.MaxAttempts = 2
	svc, _ := stalePool(t, db, s, cfg)
	sendNumber(t, db, svc, 1, issue)
	for i := 1; i <= n; i++ {
		if status, attempts, code := deliveryOf(t, db, issue, email(i)); status != bulletin.DeliveryFailed || attempts != 2 || code != 421 {
			t.Errorf("%s: %s after %d attempts (code %d), want failed after 2 with 421", email(i), status, attempts, code)
		}
	}
	if s.Count() != 0 {
		t.Errorf("the server received %d messages, want none", s.Count())
	}
}

// BULLETIN_SMTP_IDLE: the pool closes a connection that waited that long,
// before the server would.
func TestIdleConnectionsAreClosedByThePool(t *testing.T) {
	db := pgtest.New(t)
	issue := seed(t, db, 5)
	s := newSink(t) // keeps idle connections for a minute
	cfg := fastConfig()
	cfg.IdleClose = 100 * time.Millisecond
	svc, _ := stalePool(t, db, s, cfg)
	sendNumber(t, db, svc, 1, issue)
	waitFor(t, 30*time.Second, "the pool closing its idle connections", func() bool { return s.OpenConns() == 0 })
	checkDelivered(t, s, 5, 0)
}

// A claim held longer than its lease is renewed while its pool lives: with
// a lease much shorter than the time to send a batch, nothing is taken
// over by the pool's own next claim, and nothing is sent twice.
func TestLeasesAreRenewedWhileThePoolLives(t *testing.T) {
	db := pgtest.New(t)
	const n = 60
	issue := seed(t, db, n)
	s := newSink(t)
	s.Delay = 40 * time.Millisecond // 60 messages on one connection: 2.4 s
	cfg := fastConfig()
	cfg.Conns, cfg.Batch, cfg.Lease = 1, 30, 400*time.Millisecond
	_, svc := startPool(t, db, s, cfg)
	sendAndWait(t, db, svc, issue)
	checkDelivered(t, s, n, 0)
	var maxAttempts int
	if err := db.Pool.QueryRow(context.Background(), `SELECT max(attempts) FROM deliveries WHERE issue_id = $1`, issue).Scan(&maxAttempts); err != nil {
		t.Fatal(err)
	}
	if maxAttempts != 1 {
		t.Errorf("a delivery was claimed %d times; a live pool's claims must be renewed, not taken over", maxAttempts)
	}
}
