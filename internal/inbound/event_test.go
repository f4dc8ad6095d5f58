package inbound_test

import (
	"context"
	"testing"

	"bulletin/internal/inbound"
)

// Provider events land in inbound_messages with the same effects as mail;
// the same event twice acts once, and a bad one is refused, changing nothing.
func TestApplyEvent(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	gone, _ := w.reader("gone@example.com")
	angry, _ := w.reader("angry@example.com")
	_, d := w.sentIssue(gone, angry)
	bounce := inbound.Event{Source: inbound.SourceSES, ID: "n-1", Kind: inbound.KindBounce, Recipient: "Gone@example.com",
		Status: "5.1.1", Diagnostic: "smtp; 550 5.1.1 user unknown", Permanent: true, Raw: []byte(`{"notificationType":"Bounce"}`)}
	complaint := inbound.Event{Source: inbound.SourcePostmark, ID: "pm-9", Kind: inbound.KindComplaint, Recipient: "angry@example.com"}
	for range 2 {
		for _, ev := range []inbound.Event{bounce, complaint} {
			if err := w.p.ApplyEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := w.count(`SELECT count(*) FROM deliveries WHERE id = $1 AND status = 'failed' AND last_code = 550`, d[0]); n != 1 {
		t.Error("permanent bounce event did not fail the delivery")
	}
	if n := w.count(`SELECT hard_bounces FROM subscribers WHERE id = $1`, gone); n != 1 {
		t.Errorf("hard_bounces %d after the same event twice, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 AND unsubscribed_how = 'complaint'`, angry); n != 2 {
		t.Errorf("complaint event: %d lists left", n)
	}
	if n := w.count(`SELECT count(*) FROM inbound_messages WHERE source IN ('ses', 'postmark') AND processed_at IS NOT NULL`); n != 2 {
		t.Errorf("%d events stored, want 2", n)
	}
	for _, bad := range []inbound.Event{
		{Source: inbound.SourceSES, ID: "x", Kind: "delivery", Recipient: "gone@example.com"},
		{Source: "mailgun", ID: "x", Kind: inbound.KindBounce, Recipient: "gone@example.com"},
		{Source: inbound.SourceSES, Kind: inbound.KindBounce, Recipient: "gone@example.com"},
	} {
		if err := w.p.ApplyEvent(ctx, bad); err == nil {
			t.Errorf("event %+v accepted", bad)
		}
	}
	if n := w.count(`SELECT count(*) FROM inbound_messages`); n != 2 {
		t.Errorf("bad events stored: %d rows", n)
	}
}
