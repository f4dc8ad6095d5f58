package inbound_test

import (
	"context"
	"crypto/tls"
	"testing"

	"bulletin/internal/dovecottest"
	"bulletin/internal/inbound"
)

func poller(w *world, d *dovecottest.Dovecot) *inbound.Poller {
	return &inbound.Poller{Processor: w.p, Domain: domain,
		IMAP: inbound.IMAPConfig{Addr: d.Addr, Username: d.User, Password: d.Password, Mailbox: "INBOX", TLS: "none"}}
}

// Polling a real dovecot: each unseen message is stored and acted on, then
// marked seen. A poll stopped between storing and marking (a kill) leaves
// the message unseen; the next poll fetches it again, and it acts once.
func TestIMAPPolling(t *testing.T) {
	w := newWorld(t)
	d := dovecottest.Start(t)
	ctx := context.Background()
	sub, tok := w.reader("leaver@example.com")
	gone, _ := w.reader("gone@example.com")
	issue, dl := w.sentIssue(gone)
	a := addrs()
	to := a.Unsubscribe(tok)
	d.Deliver(t, append([]byte("Return-Path: <leaver@example.com>\r\nDelivered-To: "+to+"\r\n"), plainMessage("leaver@example.com", to, "unsubscribe", "", "")...))
	verp := a.Bounce(issue, dl[0])
	d.Deliver(t, append([]byte("Return-Path: <>\r\nDelivered-To: "+verp+"\r\n"), dsnMessage(verp, "gone@example.com", "failed", "5.1.1", "smtp; 550 5.1.1 unknown", "<z@x>")...))

	p := poller(w, d)
	inbound.SetAfterStore(p, func(uint32) bool { return false }) // killed after the first store
	if n, err := p.Poll(ctx); err != nil || n != 1 {
		t.Fatalf("first poll: %d stored, err %v\n%s", n, err, d.Log())
	}
	if seen, total := d.Seen(t); seen != 0 || total != 2 {
		t.Fatalf("after the killed poll: %d of %d seen, want none", seen, total)
	}
	if got := w.count(`SELECT count(*) FROM inbound_messages WHERE source = 'imap' AND processed_at IS NOT NULL`); got != 1 {
		t.Fatalf("%d messages stored and processed, want 1", got)
	}

	p = poller(w, d)
	if _, err := p.Poll(ctx); err != nil {
		t.Fatalf("second poll: %v\n%s", err, d.Log())
	}
	if seen, total := d.Seen(t); seen != 2 || total != 2 {
		t.Errorf("after the second poll: %d of %d seen", seen, total)
	}
	if got := w.count(`SELECT count(*) FROM inbound_messages`); got != 2 {
		t.Errorf("%d messages stored, want 2 (the refetched one once)", got)
	}
	if got := w.count(`SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 AND unsubscribed_how = 'mailto'`, sub); got != 2 {
		t.Errorf("mailto unsubscribe through IMAP: %d lists left", got)
	}
	if got := w.count(`SELECT hard_bounces FROM subscribers WHERE id = $1`, gone); got != 1 {
		t.Errorf("bounce through IMAP: hard_bounces %d, want exactly 1", got)
	}
	if n, err := p.Poll(ctx); err != nil || n != 0 {
		t.Errorf("third poll took %d (err %v), want nothing left", n, err)
	}
}

// Wrong credentials: a clear error, nothing stored.
func TestIMAPBadLogin(t *testing.T) {
	w := newWorld(t)
	d := dovecottest.Start(t)
	p := poller(w, d)
	p.IMAP.Password = "wrong"
	if _, err := p.Poll(context.Background()); err == nil {
		t.Fatal("a wrong password polled")
	}
	if got := w.count(`SELECT count(*) FROM inbound_messages`); got != 0 {
		t.Errorf("%d stored", got)
	}
}

// Polling over IMAPS and over STARTTLS, the certificate checked.
func TestIMAPPollingOverTLS(t *testing.T) {
	w := newWorld(t)
	d := dovecottest.StartTLS(t)
	sub, tok := w.reader("leaver@example.com")
	to := addrs().Unsubscribe(tok)
	d.Deliver(t, append([]byte("Delivered-To: "+to+"\r\n"), plainMessage("leaver@example.com", to, "unsubscribe", "", "")...))
	for _, tc := range []struct{ mode, addr string }{{"tls", d.TLSAddr}, {"starttls", d.Addr}} {
		p := poller(w, d)
		p.IMAP.Addr, p.IMAP.TLS = tc.addr, tc.mode
		p.IMAP.TLSConfig = &tls.Config{RootCAs: d.CA, ServerName: "127.0.0.1"}
		if _, err := p.Poll(context.Background()); err != nil {
			t.Fatalf("%s: %v\n%s", tc.mode, err, d.Log())
		}
	}
	if got := w.count(`SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 AND unsubscribed_how = 'mailto'`, sub); got != 2 {
		t.Errorf("%d lists left", got)
	}
	p := poller(w, d)
	p.IMAP.Addr, p.IMAP.TLS = d.TLSAddr, "tls" // the system roots do not trust the test certificate
	if _, err := p.Poll(context.Background()); err == nil {
		t.Error("an untrusted certificate was accepted")
	}
}
