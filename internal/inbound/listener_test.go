package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"bulletin/internal/fixture"
	"bulletin/internal/inbound"

	"github.com/emersion/go-smtp"
)

// startListener runs the inbound SMTP listener on a free port.
func startListener(t testing.TB, w *world, maxBytes int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &inbound.Listener{Processor: w.p, Domain: domain, MaxBytes: maxBytes}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- l.ServeListener(ctx, ln, func(string) { close(ready) }) }()
	<-ready
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	})
	return ln.Addr().String()
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// The listener refuses recipients at other domains with 550 and messages
// over the cap with 552, storing nothing; what it accepts is stored before
// its 250.
func TestListenerRefusals(t *testing.T) {
	w := newWorld(t)
	addr := startListener(t, w, 4096)
	err := fixture.SendMail(addr, "a@example.com", "someone@elsewhere.example", plainMessage("a@example.com", "x", "hi", "", "x"))
	if smtpCode(err) != 550 {
		t.Errorf("other domain: %v, want 550", err)
	}
	big := plainMessage("a@example.com", "contribute@"+domain, "big", "", strings.Repeat(strings.Repeat("x", 70)+"\n", 120))
	if err := fixture.SendMail(addr, "a@example.com", "contribute@"+domain, big); smtpCode(err) != 552 {
		t.Errorf("over the cap: %v, want 552", err)
	}
	if n := w.count(`SELECT count(*) FROM inbound_messages`); n != 0 {
		t.Fatalf("%d messages stored from refused mail", n)
	}
	if err := fixture.SendMail(addr, "a@example.com", "Hello@"+strings.ToUpper(domain), plainMessage("a@example.com", "x", "hi", "", "x")); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM inbound_messages WHERE rcpt_to = $1 AND processed_at IS NOT NULL`, "hello@"+domain); n != 1 {
		t.Errorf("accepted message stored %d times", n)
	}
	// Lines longer than RFC 5322's 998 characters are common in real mail.
	long := plainMessage("a@example.com", "x", "long line", "", strings.Repeat("y", 3000))
	if err := fixture.SendMail(addr, "a@example.com", "long@"+domain, long); err != nil {
		t.Errorf("a 3,000-character line: %v", err)
	}
}

// A thousand bounces at once over 25 connections: every one stored once
// and acted on once.
func TestListenerThousandAtOnce(t *testing.T) {
	w := newWorld(t)
	addr := startListener(t, w, 0)
	var issue int64
	w.query(`INSERT INTO issues (newsletter_id, number, status) SELECT id, 1, 'sent' FROM newsletters WHERE is_default RETURNING id`, nil, &issue)
	exec(t, w.db, `INSERT INTO subscribers (email, token) SELECT 'r'||i||'@example.com', 'tok'||i||'-0123456789abcdef' FROM generate_series(1, 1000) i`)
	exec(t, w.db, `INSERT INTO deliveries (issue_id, subscriber_id, status) SELECT $1, id, 'sent' FROM subscribers`, issue)
	exec(t, w.db, `INSERT INTO delivery_counts (issue_id, total, sent) VALUES ($1, 1000, 1000)`, issue)
	rows, err := w.db.Pool.Query(context.Background(), `SELECT d.id, s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id`)
	if err != nil {
		t.Fatal(err)
	}
	type job struct {
		id    int64
		email string
	}
	var jobs []job
	for rows.Next() {
		var j job
		if err := rows.Scan(&j.id, &j.email); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	a := addrs()
	ch := make(chan job)
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	for range 25 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				to := a.Bounce(issue, j.id)
				if err := fixture.SendMail(addr, "", to, dsnMessage(to, j.email, "failed", "5.1.1", "smtp; 550 5.1.1 unknown", fmt.Sprintf("<%d@x>", j.id))); err != nil {
					errs <- err
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM inbound_messages WHERE kind = 'bounce' AND processed_at IS NOT NULL`); n != 1000 {
		t.Errorf("%d of 1000 bounces stored and processed", n)
	}
	var sent, failed int
	w.query(`SELECT sent, failed FROM delivery_counts WHERE issue_id = $1`, []any{issue}, &sent, &failed)
	if n := w.count(`SELECT count(*) FROM deliveries WHERE status = 'failed' AND last_reply LIKE 'DSN 5.1.1%'`); n != 1000 || sent != 0 || failed != 1000 {
		t.Errorf("%d deliveries failed; counts sent %d failed %d", n, sent, failed)
	}
}

// A message stored but never processed (the process died in between) is
// processed by the next sweep, once.
func TestSweepProcessesWhatACrashLeft(t *testing.T) {
	w := newWorld(t)
	sub, tok := w.reader("late@example.com")
	to := addrs().Unsubscribe(tok)
	m := &inbound.Message{Source: inbound.SourceSMTP, DedupeKey: "crash-test", MailFrom: "late@example.com", RcptTo: to,
		Raw: plainMessage("late@example.com", to, "unsubscribe", "", "")}
	if _, err := w.db.SaveInbound(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := w.p.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if kind, _, done := w.stored(m.ID); kind != "unsubscribe" || !done {
		t.Errorf("after the sweep: %s %v", kind, done)
	}
	if n := w.count(`SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 AND unsubscribed_how = 'mailto'`, sub); n != 2 {
		t.Errorf("%d lists left", n)
	}
}
