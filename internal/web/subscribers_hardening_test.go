package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// Changing the case of an address does not get around its rate limit:
// victim@, Victim@ and vIctim@ share one key and one subscriber.
func TestSubscribeRateLimitIgnoresCase(t *testing.T) {
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	for i, addr := range []string{"victim@example.org", "Victim@example.org", "vIctim@example.org", "VICTIM@example.org"} {
		code, _ := e.postForm("/subscribe/weekly", url.Values{"email": {addr}})
		if i < 3 && code != 200 {
			t.Fatalf("post %d (%s): %d", i+1, addr, code)
		}
		if i == 3 && code != 429 {
			t.Fatalf("post 4 (%s): %d, want 429: the limit is per address whatever its case", addr, code)
		}
	}
	if n := len(e.mails()); n != 3 {
		t.Fatalf("%d confirmation emails into one mailbox, want 3", n)
	}
	if got := e.status("victim@example.org"); got != "pending:weekly=pending" {
		t.Fatalf("victim: %q, want one pending subscriber", got)
	}
}

// A name typed into the public form as a spreadsheet formula reaches the
// admin's export as text, with a leading quote.
func TestExportNeutralisesFormulaFromPublicForm(t *testing.T) {
	e := newSubsEnv(t)
	e.list("weekly", true, false)
	name := `=HYPERLINK("http://evil.example/","Click")`
	if code, _ := e.postForm("/subscribe/weekly", url.Values{"email": {"-x@example.org"}, "name": {name}}); code != 200 {
		t.Fatalf("subscribe: %d", code)
	}
	code, body := e.do("GET", "/api/v1/lists/weekly/subscribers/export", "", "", "X-Test-Role", "admin")
	want := "email,name,status\n'-x@example.org,\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"Click\"\")\",active\n"
	if code != 200 || body != want {
		t.Fatalf("export: %d\n%s\nwant:\n%s", code, body, want)
	}
	if strings.Contains(body, "\n=") || strings.Contains(body, ",=") {
		t.Fatal("a cell starts with =")
	}
}

// Submitting the form twice mails the same link twice, and the first
// email's link still confirms.
func TestSubscribeTwiceFirstLinkStillWorks(t *testing.T) {
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	for range 2 {
		if code, _ := e.postForm("/subscribe/weekly", url.Values{"email": {"twice@example.org"}}); code != 200 {
			t.Fatalf("subscribe: %d", code)
		}
	}
	ms := e.mails() // newest first
	if len(ms) != 2 {
		t.Fatalf("%d emails, want 2", len(ms))
	}
	first, second := confirmLink(t, ms[1]), confirmLink(t, ms[0])
	if first != second {
		t.Fatalf("the second email carries another link:\n%s\n%s", first, second)
	}
	path := strings.TrimPrefix(first, e.ts.URL)
	if code, body := e.postForm(path, nil); code != 200 || !strings.Contains(body, "Subscription confirmed") {
		t.Fatalf("the first email's link: %d\n%s", code, body)
	}
	if got := e.status("twice@example.org"); got != "active:weekly=active" {
		t.Fatalf("after confirming: %s", got)
	}
}

// Over the API: an admin's confirmed add of an address that unsubscribed
// is 422 with the reason, and the address stays unsubscribed.
func TestAPIConfirmedAddRefusesUnsubscribed(t *testing.T) {
	e := newSubsEnv(t)
	e.list("weekly", false, true)
	res := e.subscriber("weekly", "left@example.org", true)
	if _, err := e.db.Unsubscribe(context.Background(), res.Subscriber.Token); err != nil {
		t.Fatal(err)
	}
	code, body := e.do("POST", "/api/v1/lists/weekly/subscribers", "application/json", `{"email":"Left@example.org","confirmed":true}`, "X-Test-Role", "admin")
	if code != 422 || !strings.Contains(body, "unsubscribed") {
		t.Fatalf("confirmed add of an unsubscribed address: %d %s", code, body)
	}
	if got := e.status("left@example.org"); got != "unsubscribed:weekly=unsubscribed" {
		t.Fatalf("after the refused add: %s", got)
	}
}
