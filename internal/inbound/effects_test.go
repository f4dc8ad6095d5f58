package inbound_test

import (
	"fmt"
	"strings"
	"testing"

	"bulletin/internal/inbound"
)

// A permanent DSN to the VERP address fails the delivery with the DSN's
// status and diagnostic; three in a row (the SMTP refusals' rule) make the
// subscriber bounced, even though a relay's 250 cleared the count each
// time. The same DSN delivered twice acts once.
func TestBounceFailsDeliveryThenBounces(t *testing.T) {
	w := newWorld(t)
	sub, _ := w.reader("gone@example.com")
	a := addrs()
	for n := 1; n <= 3; n++ {
		issue, d := w.sentIssue(sub)
		// A relay's 250 cleared the count (MarkSent) before the DSN came.
		exec(t, w.db, `UPDATE subscribers SET hard_bounces = 0 WHERE id = $1`, sub)
		raw := dsnMessage(a.Bounce(issue, d[0]), "gone@example.com", "failed", "5.1.1",
			"smtp; 550 5.1.1 <gone@example.com>: Recipient address rejected", fmt.Sprintf("<i%d@example.org>", n))
		for range 2 { // the second copy must change nothing
			w.receive(inbound.Envelope{RcptTo: a.Bounce(issue, d[0])}, raw)
		}
		var status, reply string
		var code int
		w.query(`SELECT status, last_code, last_reply FROM deliveries WHERE id = $1`, []any{d[0]}, &status, &code, &reply)
		if status != "failed" || code != 550 || !strings.Contains(reply, "5.1.1") || !strings.Contains(reply, "Recipient address rejected") {
			t.Fatalf("delivery after DSN %d: %s %d %q", n, status, code, reply)
		}
		var sent, failed int
		w.query(`SELECT sent, failed FROM delivery_counts WHERE issue_id = $1`, []any{issue}, &sent, &failed)
		if sent != 0 || failed != 1 {
			t.Errorf("issue counts sent %d failed %d, want 0 and 1", sent, failed)
		}
		var bounces int
		var subStatus string
		w.query(`SELECT hard_bounces, status FROM subscribers WHERE id = $1`, []any{sub}, &bounces, &subStatus)
		wantStatus := "active"
		if n == 3 {
			wantStatus = "bounced"
		}
		if bounces != n || subStatus != wantStatus {
			t.Fatalf("after %d DSNs: hard_bounces %d status %s, want %d %s", n, bounces, subStatus, n, wantStatus)
		}
	}
	if got := w.count(`SELECT count(*) FROM inbound_messages WHERE kind = 'bounce' AND processed_at IS NOT NULL`); got != 3 {
		t.Errorf("%d bounce messages stored, want 3 (each once)", got)
	}
}

// A delayed DSN is recorded and changes nothing.
func TestDelayedBounceChangesNothing(t *testing.T) {
	w := newWorld(t)
	sub, _ := w.reader("slow@example.com")
	issue, d := w.sentIssue(sub)
	a := addrs()
	m := w.receive(inbound.Envelope{RcptTo: a.Bounce(issue, d[0])}, dsnMessage(a.Bounce(issue, d[0]), "slow@example.com", "delayed", "4.4.1", "X-Postfix; timed out", "<x@y>"))
	kind, effect, done := w.stored(m.ID)
	if kind != "bounce" || !done || !strings.Contains(effect, "delayed") {
		t.Errorf("stored %s %q %v", kind, effect, done)
	}
	if got := w.count(`SELECT count(*) FROM deliveries WHERE status = 'sent' AND id = $1`, d[0]); got != 1 {
		t.Error("a delayed DSN changed the delivery")
	}
	if got := w.count(`SELECT hard_bounces FROM subscribers WHERE id = $1`, sub); got != 0 {
		t.Error("a delayed DSN counted as a hard bounce")
	}
}

// Forged and foreign bounces are stored and act on nothing: a VERP address
// with a wrong tag, a DSN about an address that is not ours.
func TestForeignBouncesActOnNothing(t *testing.T) {
	w := newWorld(t)
	sub, _ := w.reader("reader@example.com")
	_, d := w.sentIssue(sub)
	wrong := fmt.Sprintf("bounces+%d-0123456789@%s", d[0], domain)
	m1 := w.receive(inbound.Envelope{RcptTo: wrong}, dsnMessage(wrong, "reader@example.com", "failed", "5.1.1", "smtp; 550 no", "<a@b>"))
	other := "postmaster@" + domain
	m2 := w.receive(inbound.Envelope{RcptTo: other}, dsnMessage(other, "stranger@example.net", "failed", "5.1.1", "smtp; 550 no", "<c@d>"))
	if kind, effect, done := w.stored(m1.ID); kind != "unknown" || !done || !strings.Contains(effect, "wrong tag") {
		t.Errorf("wrong tag: %s %q %v", kind, effect, done)
	}
	if kind, effect, done := w.stored(m2.ID); kind != "bounce" || !done || !strings.Contains(effect, "ignored") {
		t.Errorf("address not ours: %s %q %v", kind, effect, done)
	}
	if w.count(`SELECT count(*) FROM deliveries WHERE status = 'sent'`) != 1 || w.count(`SELECT hard_bounces FROM subscribers`) != 0 {
		t.Error("a forged or foreign bounce changed a delivery or a subscriber")
	}
}

// An ARF complaint, with the recipient redacted, is traced through the
// original's VERP Return-Path: unsubscribed from every list with how
// 'complaint', counted against the issue.
func TestComplaintUnsubscribesEverywhere(t *testing.T) {
	w := newWorld(t)
	sub, _ := w.reader("angry@example.com")
	keep, _ := w.reader("happy@example.com")
	issue, d := w.sentIssue(sub, keep)
	a := addrs()
	fbl := "fbl@" + domain
	m := w.receive(inbound.Envelope{MailFrom: "fbl@isp.example", RcptTo: fbl}, arfMessage(fbl, a.Bounce(issue, d[0]), "", "redacted"))
	if kind, _, done := w.stored(m.ID); kind != "complaint" || !done {
		t.Fatalf("stored %s %v", kind, done)
	}
	if got := w.count(`SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 AND status = 'unsubscribed' AND unsubscribed_how = 'complaint'`, sub); got != 2 {
		t.Errorf("%d of 2 lists left with how=complaint", got)
	}
	if got := w.count(`SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 AND status = 'active'`, keep); got != 2 {
		t.Error("another reader was unsubscribed")
	}
	if got := w.count(`SELECT count(*) FROM inbound_messages WHERE kind = 'complaint' AND issue_id = $1`, issue); got != 1 {
		t.Errorf("complaints counted against the issue: %d", got)
	}
	// An ARF about a message we never sent: stored, nothing changes.
	m2 := w.receive(inbound.Envelope{MailFrom: "fbl@isp.example", RcptTo: fbl}, arfMessage(fbl, "news@other.example", "", "nobody@example.net"))
	if kind, effect, done := w.stored(m2.ID); kind != "complaint" || !done || !strings.Contains(effect, "ignored") {
		t.Errorf("ARF for a message we never sent: %s %q %v", kind, effect, done)
	}
	if got := w.count(`SELECT count(*) FROM subscriptions WHERE status = 'unsubscribed'`); got != 2 {
		t.Errorf("%d subscriptions unsubscribed, want only the complainer's 2", got)
	}
}

// Mail to unsubscribe+token@ leaves every list at once with how 'mailto',
// whatever case the address arrives in; an unknown token changes nothing.
func TestMailtoUnsubscribe(t *testing.T) {
	w := newWorld(t)
	sub, tok := w.reader("leaver@example.com")
	a := addrs()
	to := strings.ToUpper(a.Unsubscribe(tok))
	m := w.receive(inbound.Envelope{MailFrom: "leaver@example.com", RcptTo: to}, plainMessage("leaver@example.com", to, "unsubscribe", "", ""))
	if kind, _, done := w.stored(m.ID); kind != "unsubscribe" || !done {
		t.Fatalf("stored %s %v", kind, done)
	}
	if got := w.count(`SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 AND unsubscribed_how = 'mailto'`, sub); got != 2 {
		t.Errorf("%d of 2 lists left by mailto", got)
	}
	if got := w.count(`SELECT count(*) FROM subscribers WHERE id = $1 AND status = 'unsubscribed'`, sub); got != 1 {
		t.Error("subscriber not unsubscribed")
	}
	bad := a.Unsubscribe("NoSuchToken0123456789x")
	m2 := w.receive(inbound.Envelope{MailFrom: "x@example.com", RcptTo: bad}, plainMessage("x@example.com", bad, "unsubscribe", "", ""))
	if _, effect, _ := w.stored(m2.ID); !strings.Contains(effect, "ignored") {
		t.Errorf("unknown token: %q", effect)
	}
	if len(w.replies.all()) != 0 {
		t.Error("an unsubscribe was answered")
	}
}
