package outbox_test

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/config"
	"bulletin/internal/fixture"
	"bulletin/internal/outbox"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/smtp"
	"bulletin/templates"

	gosmtp "github.com/emersion/go-smtp"
)

// queue is a database with a double opt-in list and a mail-queue service
// sending to a real SMTP sink.
func queue(t *testing.T) (*postgres.DB, *fixture.SMTPSink, *outbox.Service) {
	t.Helper()
	db := pgtest.New(t)
	if err := db.CreateList(context.Background(), &bulletin.List{Slug: "weekly", Name: "Weekly", DoubleOptin: true}); err != nil {
		t.Fatal(err)
	}
	sink := fixture.NewSMTPSink(t)
	host, port, _ := net.SplitHostPort(sink.Addr)
	p, _ := strconv.Atoi(port)
	confirm, err := outbox.NewConfirmation(templates.Builtin(), "https://news.example.org")
	if err != nil {
		t.Fatal(err)
	}
	svc := &outbox.Service{Store: db, Mailer: &smtp.Mailer{SMTP: config.SMTP{Host: host, Port: p, TLS: config.TLSNone}},
		Renderers: map[string]outbox.Renderer{bulletin.MailConfirm: confirm}, Log: slog.New(slog.DiscardHandler)}
	return db, sink, svc
}

func subscribe(t *testing.T, db *postgres.DB, email string) *bulletin.SubscribeResult {
	t.Helper()
	res, err := db.Subscribe(context.Background(), bulletin.SubscribeRequest{List: "weekly", Email: email, Method: bulletin.ConsentForm})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mailRow(t *testing.T, db *postgres.DB) (status string, attempts int, due bool, lastErr string) {
	t.Helper()
	err := db.Pool.QueryRow(context.Background(), `SELECT status, attempts, next_attempt_at <= now(), last_error FROM mail_queue`).Scan(&status, &attempts, &due, &lastErr)
	if err != nil {
		t.Fatal(err)
	}
	return
}

// A pending subscription's confirmation email is queued with it and sent
// once by the service, with the link that confirms it.
func TestConfirmationQueuedWithSubscriptionAndSentOnce(t *testing.T) {
	t.Parallel()
	db, sink, svc := queue(t)
	res := subscribe(t, db, "ann@example.org")
	if status, _, _, _ := mailRow(t, db); status != "pending" {
		t.Fatalf("queued mail is %s, want pending", status)
	}
	if err := svc.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := sink.Received("ann@example.org"); n != 1 {
		t.Fatalf("ann received %d emails, want 1", n)
	}
	if body := string(sink.Last("ann@example.org")); !strings.Contains(body, "https://news.example.org/confirm/"+res.ConfirmToken) {
		t.Errorf("the email lacks the confirmation link:\n%s", body)
	}
	if status, attempts, _, _ := mailRow(t, db); status != "sent" || attempts != 1 {
		t.Errorf("after sending: %s after %d attempts, want sent after 1", status, attempts)
	}
}

// A subscription that is refused queues nothing: the mail shares its
// transaction.
func TestRefusedSubscriptionQueuesNothing(t *testing.T) {
	t.Parallel()
	db, _, _ := queue(t)
	subscribe(t, db, "blk@example.org")
	db.Pool.Exec(context.Background(), `UPDATE subscribers SET status = 'blocklisted'; DELETE FROM mail_queue`)
	if _, err := db.Subscribe(context.Background(), bulletin.SubscribeRequest{List: "weekly", Email: "blk@example.org"}); bulletin.ErrorCode(err) != bulletin.EUNPROCESSABLE {
		t.Fatalf("subscribing a blocklisted address: %v", err)
	}
	var n int
	db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM mail_queue`).Scan(&n)
	if n != 0 {
		t.Errorf("%d mails queued by a refused subscription", n)
	}
}

// A temporary failure (4xx) is retried later, a permanent one (5xx) gives
// the message up with the server's answer.
func TestFailuresRetryThenGiveUp(t *testing.T) {
	t.Parallel()
	db, sink, svc := queue(t)
	sink.Refuse = func(rcpt string, n int) *gosmtp.SMTPError {
		if n == 1 {
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	subscribe(t, db, "bob@example.org")
	if err := svc.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	status, attempts, due, lastErr := mailRow(t, db)
	if status != "pending" || attempts != 1 || due || !strings.Contains(lastErr, "451") {
		t.Fatalf("after a 451: %s, %d attempts, due now %v, %q; want pending, 1, later, the reply", status, attempts, due, lastErr)
	}
	db.Pool.Exec(context.Background(), `UPDATE mail_queue SET next_attempt_at = now()`) // the back-off has passed
	if err := svc.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	status, attempts, _, lastErr = mailRow(t, db)
	if status != "failed" || attempts != 2 || !strings.Contains(lastErr, "550") {
		t.Errorf("after a 550: %s, %d attempts, %q; want failed, 2, the reply", status, attempts, lastErr)
	}
	if sink.Count() != 0 {
		t.Errorf("%d messages arrived", sink.Count())
	}
}

// A claim whose holder died is taken over when its lease ends, and the
// dead holder's late record changes nothing.
func TestExpiredClaimIsTakenOver(t *testing.T) {
	t.Parallel()
	db, sink, svc := queue(t)
	subscribe(t, db, "cleo@example.org")
	ctx := context.Background()
	dead, err := db.ClaimMail(ctx, 10, 0) // a lease that has already ended
	if err != nil || len(dead) != 1 {
		t.Fatalf("claim: %v, %v", dead, err)
	}
	if err := svc.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if sink.Received("cleo@example.org") != 1 {
		t.Fatal("the message of a dead claim was not sent")
	}
	if err := db.RetryMail(ctx, dead[0], time.Now(), "late"); err != nil {
		t.Fatal(err)
	}
	if status, attempts, _, _ := mailRow(t, db); status != "sent" || attempts != 2 {
		t.Errorf("after the dead claim's late record: %s, %d attempts; want sent, 2", status, attempts)
	}
}

// Stopping with claimed messages not yet tried returns them to the queue
// uncounted.
func TestStopReleasesUntriedClaims(t *testing.T) {
	t.Parallel()
	db, sink, svc := queue(t)
	subscribe(t, db, "dora@example.org")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, err := svc.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce on a stopped context: %d, %v", n, err)
	}
	var attempts int
	var leased bool
	db.Pool.QueryRow(context.Background(), `SELECT attempts, locked_until IS NOT NULL FROM mail_queue`).Scan(&attempts, &leased)
	if attempts != 0 || leased || sink.Count() != 0 {
		t.Errorf("after a stop: %d attempts, leased %v, %d sent; want 0, false, 0", attempts, leased, sink.Count())
	}
}
