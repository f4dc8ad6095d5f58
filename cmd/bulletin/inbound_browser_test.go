package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"bulletin/internal/fixture"
	"bulletin/internal/inbound"
	"bulletin/internal/pgtest"

	"github.com/chromedp/chromedp"
)

// The Inbound page in a real browser: an editor sees the messages by kind
// with their effects, the per-issue complaint rate against the 0.3 % line
// and an unverified sender's mark, reads a raw message, makes an unknown
// sender's mail an item and processes a bounce again, which changes
// nothing more.
func TestInboundPageInBrowser(t *testing.T) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg, err := loadConfig(&Env{}, fs, []string{"--database-url", pgtest.NewURL(t), "--base-url", base,
		"--roles", "web,inbound", "--inbound-domain", "in.example.test", "--inbound-addr", "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Listener: ln, inboundUp: make(chan struct{})}
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.prepareInbound(); err != nil {
		t.Fatal(err)
	}
	m.inbound.contributions = subjectParser{}
	sql := func(q string, args ...any) {
		t.Helper()
		if _, err := m.DB.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	sql(`INSERT INTO subscribers (email, token) VALUES ('gone@example.com', 'tokGone0123456789abcdef'), ('angry@example.com', 'tokAngry0123456789abcdef')`)
	sql(`INSERT INTO issues (newsletter_id, number, status, started_at) SELECT id, 1, 'sent', now() FROM newsletters`)
	sql(`INSERT INTO deliveries (issue_id, subscriber_id, status) SELECT 1, id, 'sent' FROM subscribers ORDER BY id`)
	sql(`INSERT INTO delivery_counts (issue_id, total, sent) VALUES (1, 2, 2)`)
	addUser(t, m.DB, "ed@example.org", "editor", "ed-password-12")

	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(runMain(t, runCtx, cancel, m, m.inboundUp, m.ready))
	a := m.inbound.addrs
	for _, s := range []struct {
		env inbound.Envelope
		raw []byte
	}{
		{inbound.Envelope{RcptTo: a.Bounce(1, 1)}, inbound.SampleDSN(a.Bounce(1, 1), "gone@example.com", "failed", "5.1.1", "smtp; 550 5.1.1 user unknown")},
		{inbound.Envelope{MailFrom: "fbl@isp.example", RcptTo: "fbl@in.example.test"}, inbound.SampleARF("fbl@in.example.test", a.Bounce(1, 2))},
		{inbound.Envelope{MailFrom: "stranger@example.net", RcptTo: "contribute@in.example.test"},
			inbound.SampleMail("stranger@example.net", "contribute@in.example.test", "Street party on Sunday", "Everyone is welcome.")},
	} {
		if err := fixture.SendMail(m.InboundAddr, s.env.MailFrom, s.env.RcptTo, s.raw); err != nil {
			t.Fatal(err)
		}
	}

	bctx := browser(t)
	browserLogin(t, bctx, base, "ed@example.org", "ed-password-12")
	step(t, bctx, "open the Inbound page", chromedp.Navigate(base+"/admin/inbound/"), chromedp.WaitVisible(chromedp.CSS("#inbound")))
	list := text(t, bctx, "#inbound")
	for _, want := range []string{"bounce", "delivery 1 failed: 5.1.1", "complaint", "unsubscribed from every list", "contribution",
		"kept for an editor", "unverified sender"} {
		if !strings.Contains(list, want) {
			t.Errorf("Inbound page lacks %q:\n%s", want, list)
		}
	}
	// Two sent, one bounced since: one delivered, and its reader complained.
	if got := text(t, bctx, "#inbound-issues"); !strings.Contains(got, "100.00 %") || !strings.Contains(got, "over the line") {
		t.Errorf("per-issue counts: %q", got)
	}
	step(t, bctx, "filter bounces", chromedp.Navigate(base+"/admin/inbound/?kind=bounce"), chromedp.WaitVisible(chromedp.CSS("#inbound")))
	if got := text(t, bctx, "#inbound"); strings.Contains(got, "complaint") || !strings.Contains(got, "bounce") {
		t.Errorf("bounces only: %q", got)
	}
	step(t, bctx, "process the bounce again",
		chromedp.Click(chromedp.CSS(`tr[data-kind="bounce"] button.process`)), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if got := text(t, bctx, "#flash"); !strings.Contains(got, "Processed message") {
		t.Errorf("flash after processing again: %q", got)
	}
	var bounces int
	if err := m.DB.Pool.QueryRow(ctx, `SELECT hard_bounces FROM subscribers WHERE email = 'gone@example.com'`).Scan(&bounces); err != nil || bounces != 1 {
		t.Errorf("processing again counted the bounce again: hard_bounces %d (err %v)", bounces, err)
	}
	step(t, bctx, "make the stranger's mail an item",
		chromedp.Navigate(base+"/admin/inbound/?kind=contribution"),
		chromedp.Click(chromedp.CSS(`tr[data-kind="contribution"] button.make-item`)), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if got := text(t, bctx, "#flash"); !strings.Contains(got, "is now item") {
		t.Errorf("flash after making an item: %q", got)
	}
	var title, source, status string
	if err := m.DB.Pool.QueryRow(ctx, `SELECT title, source, status FROM items`).Scan(&title, &source, &status); err != nil ||
		title != "Street party on Sunday" || !strings.Contains(source, "stranger@example.net") || status != "submitted" {
		t.Errorf("item %q %q %q (err %v)", title, source, status, err)
	}
	step(t, bctx, "open the raw message",
		chromedp.Click(chromedp.CSS(`tr[data-kind="contribution"] a`)), chromedp.WaitVisible(chromedp.CSS("#inbound-raw")))
	if got := text(t, bctx, "#inbound-raw"); !strings.Contains(got, "Subject: Street party on Sunday") {
		t.Errorf("raw view: %q", got)
	}
	step(t, bctx, "an unknown kind", chromedp.Navigate(base+"/admin/inbound/?kind=nope"), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := text(t, bctx, "main"); !strings.Contains(got, "is not one of") {
		t.Errorf("unknown kind page: %q", got)
	}
}

// subjectParser stands in for the contribution parser (mailin's
// internal/inbound/contrib): the subject is the title, the body the body.
type subjectParser struct{}

func (subjectParser) ParseContribution(raw []byte) (inbound.Contribution, error) {
	head, body, _ := strings.Cut(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	var c inbound.Contribution
	for _, l := range strings.Split(head, "\n") {
		if v, ok := strings.CutPrefix(l, "Subject: "); ok {
			c.Title = v
		}
	}
	c.Body = strings.TrimSpace(body)
	return c, nil
}
