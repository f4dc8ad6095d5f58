package inbound_test

import (
	"fmt"
	"strings"
	"testing"

	"bulletin/internal/inbound"
)

func contribution(from, subject, extra, body string) (inbound.Envelope, []byte) {
	to := "contribute@" + domain
	return inbound.Envelope{MailFrom: from, RcptTo: to}, plainMessage(from, to, subject, extra, body)
}

// A verified registered user's mail becomes a submitted item attributed to
// them, and they get one acknowledgement, marked as an automatic reply.
func TestContributionFromKnownSender(t *testing.T) {
	w := newWorld(t)
	uid := w.user("ann@example.com")
	w.verify.verified = map[string]bool{"ann@example.com": true}
	m := w.receive(contribution("ann@example.com", "Re: A new library", "", "Have a look at it."))
	kind, effect, _ := w.stored(m.ID)
	var title, body, status string
	var contributor int64
	w.query(`SELECT title, body, status, contributor_id FROM items`, nil, &title, &body, &status, &contributor)
	if kind != "contribution" || !strings.Contains(effect, "submitted") || title != "A new library" || body != "Have a look at it." ||
		status != "submitted" || contributor != uid {
		t.Fatalf("stored %s %q; item %q %q %s by %d", kind, effect, title, body, status, contributor)
	}
	if got := w.count(`SELECT count(*) FROM inbound_messages WHERE verified AND verify_method = 'dkim' AND item_id IS NOT NULL`); got != 1 {
		t.Error("the message does not record its verified sender and item")
	}
	r := w.replies.all()
	if len(r) != 1 || r[0].To != "ann@example.com" || !strings.Contains(r[0].Text, "https://news.example.org/contribute") {
		t.Fatalf("replies %+v", r)
	}
	// The same message again: no second item, no second reply.
	w.receive(contribution("ann@example.com", "Re: A new library", "", "Have a look at it."))
	if w.count(`SELECT count(*) FROM items`) != 1 || len(w.replies.all()) != 1 {
		t.Error("a message delivered twice acted twice")
	}
}

// An unverified registered sender's mail still becomes an item, marked
// unverified, and is not answered (it could be forged).
func TestContributionUnverified(t *testing.T) {
	w := newWorld(t)
	w.user("bob@example.com")
	m := w.receive(contribution("bob@example.com", "Tip", "", "Text."))
	_, effect, _ := w.stored(m.ID)
	if !strings.Contains(effect, "unverified") || w.count(`SELECT count(*) FROM items WHERE status = 'submitted'`) != 1 {
		t.Errorf("effect %q", effect)
	}
	if w.count(`SELECT count(*) FROM inbound_messages WHERE NOT verified AND item_id IS NOT NULL`) != 1 {
		t.Error("editors cannot see that the sender is unverified")
	}
	if len(w.replies.all()) != 0 {
		t.Error("an unverified sender was answered")
	}
}

// Mail from an unknown address is kept for an editor; a verified sender
// gets one polite reply per day however often they write.
func TestContributionFromUnknownSender(t *testing.T) {
	w := newWorld(t)
	w.verify.verified = map[string]bool{"stranger@example.net": true}
	for i := range 3 {
		m := w.receive(contribution("stranger@example.net", fmt.Sprintf("Idea %d", i), "", "Text."))
		if _, effect, _ := w.stored(m.ID); !strings.Contains(effect, "kept for an editor") {
			t.Errorf("effect %q", effect)
		}
	}
	if w.count(`SELECT count(*) FROM items`) != 0 {
		t.Error("an unknown sender's mail became an item")
	}
	r := w.replies.all()
	if len(r) != 1 || !strings.Contains(r[0].Text, "account") {
		t.Errorf("replies to an unknown sender: %+v", r)
	}
}

// An item that fails validation is not stored; the acknowledgement says why.
func TestContributionRefused(t *testing.T) {
	w := newWorld(t)
	w.user("ann@example.com")
	w.verify.verified = map[string]bool{"ann@example.com": true}
	w.receive(contribution("ann@example.com", "", "", "No subject, so no title."))
	if w.count(`SELECT count(*) FROM items`) != 0 {
		t.Error("an invalid item was stored")
	}
	r := w.replies.all()
	if len(r) != 1 || !strings.Contains(r[0].Text, "could not be saved") {
		t.Errorf("replies %+v", r)
	}
}

// Loop safety: automatic mail and mail from our own domain are never
// answered and never become items.
func TestAutoreplyAndLoopsAreNotAnswered(t *testing.T) {
	w := newWorld(t)
	w.user("ann@example.com")
	w.user("noreply@" + domain)
	w.verify.verified = map[string]bool{"ann@example.com": true, "noreply@" + domain: true}
	m1 := w.receive(contribution("ann@example.com", "Out of Office", "Auto-Submitted: auto-replied\n", "Away until Monday."))
	m2 := w.receive(contribution("noreply@"+domain, "Re: Thank you", "", "Your contribution is saved."))
	env, raw := contribution("", "Returned", "", "x")
	m3 := w.receive(env, raw) // empty return path
	if kind, _, _ := w.stored(m1.ID); kind != "autoreply" {
		t.Errorf("auto-reply stored as %s", kind)
	}
	if kind, effect, _ := w.stored(m2.ID); kind != "unknown" || !strings.Contains(effect, "loop") {
		t.Errorf("our own reply stored as %s %q", kind, effect)
	}
	w.stored(m3.ID)
	if w.count(`SELECT count(*) FROM items`) != 0 || len(w.replies.all()) != 0 {
		t.Errorf("items %d, replies %+v", w.count(`SELECT count(*) FROM items`), w.replies.all())
	}
}

// Acknowledgements are limited per address (10 an hour) and say that
// attachments were not imported.
func TestContributionAcksAreLimited(t *testing.T) {
	w := newWorld(t)
	w.user("ann@example.com")
	w.verify.verified = map[string]bool{"ann@example.com": true}
	w.receive(contribution("ann@example.com", "With a file", "", "See the file.\nContent-Disposition: attachment; filename=x.pdf"))
	if r := w.replies.all(); len(r) != 1 || !strings.Contains(r[0].Text, "Attachments are not imported") {
		t.Fatalf("replies %+v", r)
	}
	for i := range 12 {
		w.receive(contribution("ann@example.com", fmt.Sprintf("Tip %d", i), "", "Text."))
	}
	if n := w.count(`SELECT count(*) FROM items`); n != 13 {
		t.Errorf("%d items, want 13: the limit is on replies, not contributions", n)
	}
	if r := w.replies.all(); len(r) != 10 {
		t.Errorf("%d acknowledgements in an hour, want 10", len(r))
	}
}
