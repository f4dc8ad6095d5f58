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

	"bulletin/internal/config"
	"bulletin/internal/inbound"
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
	final, got := startRefusingServer(t, "gone@example.com")
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

	defer runMain(t, runCtx, cancel, m, m.inboundUp)()

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
	// What reached the final server: VERP envelope senders, and the mailto
	// unsubscribe address at the inbound domain.
	select {
	case msg := <-got:
		if !strings.HasPrefix(msg.from, "bounces+") || !strings.HasSuffix(msg.from, "@in.example.test") {
			t.Errorf("envelope sender %q is not a VERP address", msg.from)
		}
		if !strings.Contains(msg.data, "<mailto:unsubscribe+") || !strings.Contains(msg.data, "@in.example.test?subject=unsubscribe>") {
			t.Errorf("no mailto at the inbound domain in:\n%.1500s", msg.data)
		}
	default:
		t.Error("the final server received nothing")
	}
	var dsns int
	if err := m.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM inbound_messages WHERE kind = 'bounce' AND mail_from = ''
		AND rcpt_to LIKE 'bounces+%@in.example.test' AND processed_at IS NOT NULL`).Scan(&dsns); err != nil || dsns != 3 {
		t.Errorf("%d DSNs stored from postfix (err %v), want 3", dsns, err)
	}
}

// startRefusingServer is the final server: it accepts every recipient but
// refuse, which it refuses at RCPT with 550 5.1.1, and hands what it
// accepts to the channel (as long as there is room).
func startRefusingServer(t *testing.T, refuse string) (string, chan received) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan received, 10)
	srv := smtp.NewServer(&refusingBackend{refuse: refuse, got: got})
	srv.Domain = "mx.example.com"
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("final server: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), got
}

type received struct{ from, data string }

type refusingBackend struct {
	refuse string
	got    chan received
}

func (b *refusingBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &refusingSession{b: b}, nil
}

type refusingSession struct {
	b    *refusingBackend
	from string
}

func (s *refusingSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *refusingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.EqualFold(to, s.b.refuse) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox " + to + " does not exist"}
	}
	return nil
}
func (s *refusingSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	select {
	case s.b.got <- received{s.from, string(data)}:
	default:
	}
	return err
}
func (s *refusingSession) Reset()        {}
func (s *refusingSession) Logout() error { return nil }

// Without an inbound domain no mailto is advertised and the envelope
// sender is the transport's; with one, both come from the addresses.
func TestDeliveryConfigInboundAddresses(t *testing.T) {
	m := &Main{Config: &config.Config{}}
	if c := m.deliveryConfig(); c.MailtoFor != nil || c.EnvelopeFor != nil {
		t.Error("no inbound domain, yet VERP or a mailto")
	}
	m.inbound = &inboundParts{addrs: inbound.Addresses{Domain: "in.example.test", Secret: make([]byte, 32)}}
	c := m.deliveryConfig()
	if c.MailtoFor == nil || c.EnvelopeFor == nil || !strings.HasPrefix(c.EnvelopeFor(3, 7), "bounces+3-7-") ||
		!strings.HasPrefix(c.MailtoFor("tok"), "unsubscribe+") {
		t.Error("inbound domain set, but no VERP or mailto addresses")
	}
}

func host(addr string) string { h, _, _ := net.SplitHostPort(addr); return h }
func port(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }
