package web

import (
	"net/url"
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
