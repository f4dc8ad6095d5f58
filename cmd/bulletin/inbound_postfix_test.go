package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"bulletin/internal/pgtest"
	"bulletin/internal/postfixtest"

	"github.com/emersion/go-smtp"
)

// The bounce loop with real parts: Bulletin sends each issue through
// Debian's postfix; the final server refuses one recipient after postfix
// has accepted the message; postfix itself writes the DSN to the VERP
// envelope sender and delivers it to Bulletin's inbound listener. The
// delivery ends failed with the DSN's status and diagnostic, and after
// three issues (the hard-failure rule) the subscriber is bounced.
func TestBounceLoopThroughPostfix(t *testing.T) {
	ctx := context.Background()
	final := startRefusingServer(t, "gone@example.com")
	inboundAddr := freeAddr(t)
	pf := postfixtest.Start(t, final,
		"transport_maps = inline:{in.example.test=smtp:["+host(inboundAddr)+"]:"+port(inboundAddr)+"}",
		"bounce_queue_lifetime = 0")

	dbURL := pgtest.NewURL(t)
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg, err := loadConfig(&Env{}, fs, []string{"--database-url", dbURL, "--smtp-url", "smtp://" + pf.Addr + "?tls=none",
		"--roles", "sender,inbound", "--inbound-domain", "in.example.test", "--inbound-addr", inboundAddr})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), inboundUp: make(chan struct{})}
	runCtx, cancel := context.WithCancel(ctx)
	if err := m.Open(runCtx); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := m.DB.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`UPDATE newsletters SET from_email = 'news@example.org', from_name = 'News'`)
	exec(`INSERT INTO lists (slug, name) VALUES ('weekly', 'Weekly')`)
	exec(`INSERT INTO newsletter_lists SELECT n.id, l.id FROM newsletters n, lists l`)
	exec(`INSERT INTO subscribers (email, token) VALUES ('gone@example.com', 'tokGone0123456789abcdef'), ('ok@example.com', 'tokOk0123456789abcdef')`)
	exec(`INSERT INTO subscriptions (list_id, subscriber_id, status) SELECT l.id, s.id, 'active' FROM lists l, subscribers s`)

	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		m.Close()
	}()
	select {
	case <-m.inboundUp:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}

	for n := 1; n <= 3; n++ {
		exec(`INSERT INTO issues (newsletter_id, number, status, subject, html, text_body, scheduled_at)
			SELECT id, $1, 'scheduled', 'Weekly update', '<p>Hello</p>', 'Hello', now() FROM newsletters`, n)
		var status, reply, subStatus string
		var code, bounces int
		deadline := time.Now().Add(2 * time.Minute)
		for {
			err := m.DB.Pool.QueryRow(ctx, `SELECT d.status, d.last_code, d.last_reply, s.status, s.hard_bounces
				FROM deliveries d JOIN issues i ON i.id = d.issue_id JOIN subscribers s ON s.id = d.subscriber_id
				WHERE i.number = $1 AND s.email = 'gone@example.com'`, n).Scan(&status, &code, &reply, &subStatus, &bounces)
			if err == nil && status == "failed" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("issue %d: delivery to gone@ is %q (err %v) after 2 minutes; postfix log:\n%s", n, status, err, pf.Log())
			}
			time.Sleep(200 * time.Millisecond)
		}
		if code != 550 || !strings.Contains(reply, "DSN 5.1.1") || !strings.Contains(reply, "mailbox gone@example.com does not exist") {
			t.Errorf("issue %d: failed with %d %q, want the DSN's 5.1.1 and the final server's words", n, code, reply)
		}
		want := "active"
		if n == 3 {
			want = "bounced"
		}
		if bounces != n || subStatus != want {
			t.Errorf("after issue %d: hard_bounces %d, status %s; want %d, %s", n, bounces, subStatus, n, want)
		}
		var okStatus string
		if err := m.DB.Pool.QueryRow(ctx, `SELECT d.status FROM deliveries d JOIN issues i ON i.id = d.issue_id
			JOIN subscribers s ON s.id = d.subscriber_id WHERE i.number = $1 AND s.email = 'ok@example.com'`, n).Scan(&okStatus); err != nil || okStatus != "sent" {
			t.Errorf("issue %d: delivery to ok@ is %q (err %v)", n, okStatus, err)
		}
	}
	var dsns int
	if err := m.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM inbound_messages WHERE kind = 'bounce' AND mail_from = ''
		AND rcpt_to LIKE 'bounces+%@in.example.test' AND processed_at IS NOT NULL`).Scan(&dsns); err != nil || dsns != 3 {
		t.Errorf("%d DSNs stored from postfix (err %v), want 3", dsns, err)
	}
}

// startRefusingServer is the final server: it accepts every recipient but
// refuse at RCPT with 550 5.1.1, and drops what it accepts.
func startRefusingServer(t *testing.T, refuse string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(refusingBackend(refuse))
	srv.Domain = "mx.example.com"
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("final server: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type refusingBackend string

func (b refusingBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return refusingSession(b), nil }

type refusingSession string

func (s refusingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s refusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.EqualFold(to, string(s)) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox " + to + " does not exist"}
	}
	return nil
}
func (s refusingSession) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
func (s refusingSession) Reset()                 {}
func (s refusingSession) Logout() error          { return nil }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func host(addr string) string { h, _, _ := net.SplitHostPort(addr); return h }
func port(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }
