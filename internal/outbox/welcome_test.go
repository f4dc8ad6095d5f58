package outbox_test

import (
	"context"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/outbox"
	"bulletin/templates"
)

// A reader who confirms on the public form gets the welcome email through
// the outbox, with their own unsubscribe and preferences links.
func TestWelcomeSentAfterConfirming(t *testing.T) {
	db, sink, svc := queue(t)
	welcome, err := outbox.NewWelcome(templates.Builtin(), "https://news.example.org")
	if err != nil {
		t.Fatal(err)
	}
	svc.Renderers[bulletin.MailWelcome] = welcome
	res := subscribe(t, db, "reader@example.org")
	if _, err := db.ConfirmSubscription(context.Background(), res.ConfirmToken, ""); err != nil {
		t.Fatal(err)
	}
	if err := svc.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := sink.Received("reader@example.org"); n != 2 {
		t.Fatalf("reader received %d messages, want the confirmation and the welcome", n)
	}
	// The body is quoted-printable: join its soft line breaks.
	msg := strings.NewReplacer("=\r\n", "", "=\n", "").Replace(string(sink.Last("reader@example.org")))
	sub, err := db.FindSubscriberByToken(context.Background(), res.Subscriber.Token)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Subject: Welcome to Weekly", "https://news.example.org/unsubscribe/" + sub.Token,
		"https://news.example.org/preferences/" + sub.Token} {
		if !strings.Contains(msg, want) {
			t.Errorf("welcome email lacks %q:\n%s", want, msg)
		}
	}
}
