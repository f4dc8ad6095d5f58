package delivery_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"

	"github.com/emersion/go-smtp"
)

func TestTemporaryFailureIsRetriedAndDeliveredOnce(t *testing.T) {
	db := pgtest.New(t)
	issue := seed(t, db, 5)
	s := newSink(t)
	s.Refuse = func(rcpt string, n int) *smtp.SMTPError {
		if rcpt == email(3) && n == 1 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}
		return nil
	}
	_, svc := startPool(t, db, s, fastConfig())
	sendAndWait(t, db, svc, issue)
	for i := 1; i <= 5; i++ {
		if got := s.Received(email(i)); got != 1 {
			t.Errorf("%s received %d messages, want 1", email(i), got)
		}
	}
	status, attempts, code := deliveryOf(t, db, issue, email(3))
	if status != bulletin.DeliverySent || attempts != 2 || code != 250 {
		t.Errorf("delivery after 451: status %s, attempts %d, code %d; want sent, 2, 250", status, attempts, code)
	}
}

func TestPermanentFailureIsNotRetried(t *testing.T) {
	db := pgtest.New(t)
	issue := seed(t, db, 5)
	s := newSink(t)
	s.Refuse = func(rcpt string, n int) *smtp.SMTPError {
		if rcpt == email(2) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}
	cfg := fastConfig()
	cfg.BounceAfter = 1
	_, svc := startPool(t, db, s, cfg)
	sendAndWait(t, db, svc, issue)
	status, attempts, code := deliveryOf(t, db, issue, email(2))
	if status != bulletin.DeliveryFailed || attempts != 1 || code != 550 {
		t.Errorf("delivery after 550: status %s, attempts %d, code %d; want failed, 1, 550", status, attempts, code)
	}
	tries := s.Tries(email(2))
	if tries != 1 {
		t.Errorf("server saw %d RCPTs for the refused address, want 1", tries)
	}
	for _, i := range []int{1, 3, 4, 5} {
		if got := s.Received(email(i)); got != 1 {
			t.Errorf("%s received %d, want 1: one bad address must not stop the issue", email(i), got)
		}
	}
	var subStatus string
	var bounces int
	if err := db.Pool.QueryRow(context.Background(), `SELECT status, hard_bounces FROM subscribers WHERE email = $1`, email(2)).Scan(&subStatus, &bounces); err != nil {
		t.Fatal(err)
	}
	if subStatus != bulletin.SubscriberBounced || bounces != 1 {
		t.Errorf("subscriber after hard failure: %s with %d bounces, want bounced with 1", subStatus, bounces)
	}
}

func TestConnectionDroppedMidDataIsRetried(t *testing.T) {
	db := pgtest.New(t)
	issue := seed(t, db, 6)
	s := newSink(t)
	s.DropData = func(rcpt string, n int) bool { return rcpt == email(4) && n == 1 }
	_, svc := startPool(t, db, s, fastConfig())
	sendAndWait(t, db, svc, issue)
	for i := 1; i <= 6; i++ {
		if got := s.Received(email(i)); got != 1 {
			t.Errorf("%s received %d messages, want 1", email(i), got)
		}
	}
	status, attempts, _ := deliveryOf(t, db, issue, email(4))
	if status != bulletin.DeliverySent || attempts != 2 {
		t.Errorf("delivery after a dropped connection: %s after %d attempts, want sent after 2", status, attempts)
	}
}

// A message refused after its DATA (a content filter's 554) fails for good,
// like any 5xx, and the same connection carries the rest of the issue.
func TestRefusalAfterDataIsFinalAndTheConnectionGoesOn(t *testing.T) {
	db := pgtest.New(t)
	issue := seed(t, db, 6)
	s := newSink(t)
	s.DataErr = func(rcpt string) *smtp.SMTPError {
		if rcpt == email(3) {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "message content rejected"}
		}
		return nil
	}
	cfg := fastConfig()
	cfg.Conns = 1
	_, svc := startPool(t, db, s, cfg)
	sendAndWait(t, db, svc, issue)
	if status, attempts, code := deliveryOf(t, db, issue, email(3)); status != bulletin.DeliveryFailed || attempts != 1 || code != 554 {
		t.Errorf("delivery refused after DATA: %s, %d attempts, code %d; want failed, 1, 554", status, attempts, code)
	}
	for _, i := range []int{1, 2, 4, 5, 6} {
		if got := s.Received(email(i)); got != 1 {
			t.Errorf("%s received %d, want 1", email(i), got)
		}
	}
	conns := s.Conns()
	if conns != 1 {
		t.Errorf("the sender opened %d connections, want the one it kept using", conns)
	}
}

// A 421 says the server is closing the connection: the sender redials for
// the next message instead of failing it on a dead connection, and the
// refused one is retried and delivered once.
func TestServiceClosing421IsRetriedOnANewConnection(t *testing.T) {
	db := pgtest.New(t)
	issue := seed(t, db, 5)
	s := newSink(t)
	s.Refuse = func(rcpt string, n int) *smtp.SMTPError {
		if rcpt == email(2) && n == 1 {
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "shutting down, try later"}
		}
		return nil
	}
	cfg := fastConfig()
	cfg.Conns = 1
	_, svc := startPool(t, db, s, cfg)
	sendAndWait(t, db, svc, issue)
	checkDelivered(t, s, 5, 0)
	if _, attempts, _ := deliveryOf(t, db, issue, email(2)); attempts != 2 {
		t.Errorf("the delivery refused with 421 took %d attempts, want 2", attempts)
	}
	for _, i := range []int{1, 3, 4, 5} {
		if _, attempts, _ := deliveryOf(t, db, issue, email(i)); attempts != 1 {
			t.Errorf("%s took %d attempts, want 1: no message may pay for the closed connection", email(i), attempts)
		}
	}
	conns := s.Conns()
	if conns < 2 {
		t.Errorf("the sender used %d connection(s); after a 421 it must open a new one", conns)
	}
}

func TestPolicyRejectionsPauseTheIssue(t *testing.T) {
	db := pgtest.New(t)
	issue := seed(t, db, 20)
	s := newSink(t)
	s.Refuse = func(string, int) *smtp.SMTPError {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 515}, Message: "sending domain does not meet the required authentication level"}
	}
	cfg := fastConfig()
	cfg.PauseAfter, cfg.Conns, cfg.RetryBase = 3, 1, time.Hour
	_, svc := startPool(t, db, s, cfg)
	ctx := context.Background()
	if _, err := svc.Send(ctx, "weekly", 1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "issue paused", func() bool {
		p, _, err := svc.Progress(ctx, "weekly", 1)
		return err == nil && p.Paused
	})
	p, _, _ := svc.Progress(ctx, "weekly", 1)
	if p.Failed != 0 || p.Sent != 0 || p.Pending != 20 || p.Alarm == "" {
		t.Errorf("paused progress %+v: want 20 pending, none failed (policy refusals are not the address's fault) and the alarm reply", p)
	}
	var bounced int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscribers WHERE hard_bounces > 0`).Scan(&bounced)
	if bounced != 0 {
		t.Errorf("%d subscribers got a hard bounce from a policy rejection", bounced)
	}

	// The operator fixes the sender and sends again: the issue resumes.
	s.Change(func() { s.Refuse = nil })
	if _, err := db.Pool.Exec(ctx, `UPDATE deliveries SET next_attempt_at = now() WHERE issue_id = $1`, issue); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Send(ctx, "weekly", 1); err != nil {
		t.Fatal(err)
	}
	waitFinished(t, db, issue, fixture.WaitTimeout)
	if s.Count() != 20 {
		t.Errorf("after resume the server received %d messages, want 20", s.Count())
	}
}

func TestPostgresRestartMidSend(t *testing.T) {
	srv := pgtest.Server()
	if srv == nil {
		t.Fatal("this test needs the throwaway PostgreSQL (unset DATABASE_URL)")
	}
	db := pgtest.New(t)
	const n = 600
	issue := seed(t, db, n)
	s := newSink(t)
	s.Delay = time.Millisecond
	cfg := fastConfig()
	_, svc := startPool(t, db, s, cfg)
	if _, err := svc.Send(context.Background(), "weekly", 1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "sending under way", func() bool { return s.Count() >= 100 })
	if err := srv.Restart(context.Background()); err != nil {
		t.Fatalf("restart PostgreSQL: %v", err)
	}
	waitFor(t, 60*time.Second, "issue sent", func() bool {
		var st string
		err := db.Pool.QueryRow(context.Background(), `SELECT status FROM issues WHERE id = $1`, issue).Scan(&st)
		return err == nil && st == bulletin.IssueSent
	})
	checkDelivered(t, s, n, 2*cfg.Conns)
}

// checkDelivered asserts every one of n recipients got the issue and at
// most inFlight got it twice.
func checkDelivered(t *testing.T, s *sink, n, inFlight int) {
	t.Helper()
	got := s.Recipients()
	dups := 0
	for i := 1; i <= n; i++ {
		switch c := got[email(i)]; {
		case c == 0:
			t.Errorf("%s received nothing", email(i))
		case c > 1:
			dups += c - 1
		}
	}
	if len(got) != n {
		t.Errorf("server saw %d distinct recipients, want %d", len(got), n)
	}
	if dups > inFlight {
		t.Errorf("%d duplicates, more than the %d messages that can be in flight", dups, inFlight)
	}
	t.Logf("%d recipients, %d duplicates", n, dups)
}

// A delivery whose sender died on its last allowed attempt (its lease ran
// out) is not tried again: it fails, and the rest of the issue goes out.
func TestExpiredLeaseOnTheLastAttemptFails(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := seed(t, db, 3)
	cfg := fastConfig()
	cfg.MaxAttempts = 2
	if _, err := db.StartIssue(ctx, issue, []string{bulletin.IssueScheduled}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE deliveries SET attempts = 2, locked_until = now() - interval '1 second'
		WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = $1)`, email(2)); err != nil {
		t.Fatal(err)
	}
	s := newSink(t)
	startPool(t, db, s, cfg)
	waitFinished(t, db, issue, fixture.WaitTimeout)
	checkCounts(t, db, issue)
	if status, attempts, _ := deliveryOf(t, db, issue, email(2)); status != bulletin.DeliveryFailed || attempts != 3 {
		t.Errorf("delivery after its lease expired on the last attempt: %s after %d claims, want failed after 3", status, attempts)
	}
	if got := s.Received(email(2)); got != 0 {
		t.Errorf("%s received %d copies, want none", email(2), got)
	}
	for _, i := range []int{1, 3} {
		if got := s.Received(email(i)); got != 1 {
			t.Errorf("%s received %d, want 1", email(i), got)
		}
	}
}
