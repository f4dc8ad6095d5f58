package inbound_test

import (
	"context"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/inbound"
)

// An editor makes an unknown sender's mail an item, once; processing a
// bounce again changes nothing more.
func TestMakeItemAndProcessAgain(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := w.receive(contribution("stranger@example.net", "Street party", "", "Everyone is welcome."))
	id, err := w.p.MakeItem(ctx, m.ID, w.db)
	if err != nil {
		t.Fatal(err)
	}
	var source, status string
	w.query(`SELECT source, status FROM items WHERE id = $1`, []any{id}, &source, &status)
	if !strings.Contains(source, "stranger@example.net") || status != "submitted" {
		t.Errorf("item source %q status %s", source, status)
	}
	if _, err := w.p.MakeItem(ctx, m.ID, w.db); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("a second item: err %v", err)
	}
	if err := w.p.ProcessAgain(ctx, m.ID, w.db.ReprocessInbound); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("processing an item's message again: err %v", err)
	}

	sub, _ := w.reader("gone@example.com")
	issue, d := w.sentIssue(sub)
	to := addrs().Bounce(issue, d[0])
	b := w.receive(inbound.Envelope{RcptTo: to}, dsnMessage(to, "gone@example.com", "failed", "5.1.1", "smtp; 550 no", "<q@x>"))
	if err := w.p.ProcessAgain(ctx, b.ID, w.db.ReprocessInbound); err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT hard_bounces FROM subscribers WHERE id = $1`, sub); n != 1 {
		t.Errorf("hard_bounces %d after processing again, want 1", n)
	}
	if _, effect, done := w.stored(b.ID); !done || !strings.Contains(effect, "already failed") {
		t.Errorf("effect after processing again: %q", effect)
	}
	if err := w.p.ProcessAgain(ctx, 999999, w.db.ReprocessInbound); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("unknown message: %v", err)
	}
}
