package web

import (
	"context"
	"net/url"
	"testing"

	"bulletin/internal/bulletin"
)

// Issue 16, defect 7: a list name holding '"' broke the confirmation
// email's From header (and the email was never sent). The display name is
// now quoted or encoded properly and reads back as the list's name.
func TestConfirmationFromQuotesListName(t *testing.T) {
	for _, name := range []string{`Friends "of" the Park, Inc.`, `Café "Ü" \ <news>; x@y`} {
		e := newSubsEnv(t)
		if err := e.db.CreateList(context.Background(), &bulletin.List{Slug: "park", Name: name, Public: true, DoubleOptin: true}); err != nil {
			t.Fatal(err)
		}
		if code, body := e.postForm("/subscribe/park", url.Values{"email": {"jane@example.org"}}); code != 200 {
			t.Fatalf("subscribe: %d %s", code, body)
		}
		ms := e.mails()
		if len(ms) != 1 {
			t.Fatalf("list %q: %d confirmation emails, want 1", name, len(ms))
		}
		from, err := ms[0].Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != name {
			t.Fatalf("list %q: From %q parses as %v, %v; want the list's name", name, ms[0].Header.Get("From"), from, err)
		}
	}
}
