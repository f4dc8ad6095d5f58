package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
)

func TestSubscribeDoubleOptInByEmail(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	code, body := e.do("GET", "/subscribe/weekly", "", "")
	if code != 200 || !strings.Contains(body, `name="email"`) || !strings.Contains(body, "The weekly list") {
		t.Fatalf("form: %d\n%s", code, body)
	}
	code, body = e.postForm("/subscribe/weekly", url.Values{"email": {"New.Reader@Example.ORG"}, "name": {"New Reader"}})
	if code != 200 || !strings.Contains(body, "confirmation link") {
		t.Fatalf("subscribe: %d\n%s", code, body)
	}
	if got := e.status("New.Reader@example.org"); got != "pending:weekly=pending" {
		t.Fatalf("after subscribe: %s", got)
	}
	ms := e.mails()
	if len(ms) != 1 {
		t.Fatalf("%d emails, want 1", len(ms))
	}
	m := ms[0]
	if to := m.Header.Get("To"); !strings.Contains(to, "New.Reader@example.org") {
		t.Fatalf("To = %q", to)
	}
	if s := m.Header.Get("Subject"); !strings.Contains(s, "Confirm your subscription") || m.Header.Get("Message-Id") == "" {
		t.Fatalf("headers: %v", m.Header)
	}
	link := confirmLink(t, m)
	if !strings.HasPrefix(link, e.ts.URL+"/confirm/") {
		t.Fatalf("link %q is not on BaseURL", link)
	}
	path := strings.TrimPrefix(link, e.ts.URL)
	// Following the link (or a mail scanner's prefetch of it) shows a
	// button and changes nothing.
	for range 2 {
		code, body = e.do("GET", path, "", "")
		if code != 200 || !strings.Contains(body, "Confirm your subscription") || !strings.Contains(body, `method="post" action="`+path+`"`) {
			t.Fatalf("confirmation page: %d\n%s", code, body)
		}
	}
	if got := e.status("New.Reader@example.org"); got != "pending:weekly=pending" {
		t.Fatalf("the GET confirmed: %s", got)
	}
	code, body = e.postForm(path, nil)
	if code != 200 || !strings.Contains(body, "Subscription confirmed") {
		t.Fatalf("confirm: %d\n%s", code, body)
	}
	if got := e.status("New.Reader@example.org"); got != "active:weekly=active" {
		t.Fatalf("after confirm: %s", got)
	}
	// A second press, or the link followed again, is harmless.
	if code, body = e.postForm(path, nil); code != 200 || !strings.Contains(body, "Subscription confirmed") {
		t.Fatalf("second confirm: %d", code)
	}
	if code, body = e.do("GET", path, "", ""); code != 200 || !strings.Contains(body, "Subscription confirmed") {
		t.Fatalf("the link after confirming: %d\n%s", code, body)
	}
}

func TestSubscribeSingleOptIn(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("open", true, false)
	code, body := e.postForm("/subscribe/open", url.Values{"email": {"sol@example.net"}})
	if code != 200 || !strings.Contains(body, "is subscribed") {
		t.Fatalf("subscribe: %d\n%s", code, body)
	}
	if got := e.status("sol@example.net"); got != "active:open=active" {
		t.Fatalf("status %s", got)
	}
	if n := len(e.mails()); n != 0 {
		t.Fatalf("single opt-in sent %d emails", n)
	}
}

// The answer is byte-for-byte the same whatever the address's state.
func TestSubscribeNoEnumeration(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	e.subscriber("weekly", "active@example.org", true)
	e.subscriber("weekly", "pending@example.org", false)
	u := e.subscriber("weekly", "gone@example.org", true)
	e.db.Unsubscribe(context.Background(), u.Subscriber.Token)
	e.subscriber("weekly", "blocked@example.org", true)
	e.db.Pool.Exec(context.Background(), `UPDATE subscribers SET status = 'blocklisted' WHERE email = 'blocked@example.org'`)
	before := len(e.mails()) // the set-up's own confirmation email

	var first string
	for _, addr := range []string{"new@example.org", "active@example.org", "pending@example.org", "gone@example.org", "blocked@example.org"} {
		code, body := e.postForm("/subscribe/weekly", url.Values{"email": {addr}})
		if code != 200 {
			t.Fatalf("%s: %d", addr, code)
		}
		if first == "" {
			first = body
		} else if body != first {
			t.Fatalf("%s: the answer differs:\n%s\nvs\n%s", addr, body, first)
		}
	}
	if got := e.status("blocked@example.org"); got != "blocklisted:weekly=active" {
		t.Fatalf("blocked address changed: %s", got)
	}
	// Mail goes only where a confirmation is due: new, pending, unsubscribed.
	var to []string
	all := e.mails() // newest first
	for _, m := range all[:len(all)-before] {
		to = append(to, m.Header.Get("To"))
	}
	if got := strings.Join(to, " "); strings.Contains(got, "active@") || strings.Contains(got, "blocked@") || len(to) != 3 {
		t.Fatalf("emails to %s", got)
	}
}

func TestSubscribeBadInput(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	e.list("staff", false, false)
	for _, tc := range []struct {
		email, name, want string
	}{
		// invalid UTF-8 never gets here: the edge refuses it (edge_test.go)
		{"not-an-address", "", "not a valid email address"},
		{"Jane <jane@example.org>", "", "without a display name"},
		{"jane@example.org\r\nBcc: x@example.org", "", "line break"},
		{"jane@example.org", "Jane\r\nBcc: x@example.org", "control character"},
		{"", "", "empty"},
		{strings.Repeat("a", 250) + "@example.org", "", "longer than"},
	} {
		code, body := e.postForm("/subscribe/weekly", url.Values{"email": {tc.email}, "name": {tc.name}})
		if code != 400 || !strings.Contains(body, tc.want) || !strings.Contains(body, `name="email"`) {
			t.Errorf("%q/%q: %d, want 400 mentioning %q:\n%s", tc.email, tc.name, code, tc.want, body)
		}
	}
	// An oversized form body is refused before anything is read into a row.
	code, _ := e.postForm("/subscribe/weekly", url.Values{"email": {"big@example.org"}, "name": {strings.Repeat("x", 100<<10)}})
	if code != 400 || e.status("big@example.org") != "none" {
		t.Fatalf("oversized form: %d", code)
	}
	for _, path := range []string{"/subscribe/nope", "/subscribe/staff"} {
		if code, _ := e.do("GET", path, "", ""); code != 404 {
			t.Errorf("GET %s = %d, want 404", path, code)
		}
		if code, _ := e.postForm(path, url.Values{"email": {"x@example.org"}}); code != 404 {
			t.Errorf("POST %s = %d, want 404", path, code)
		}
	}
	var n int
	e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM subscribers`).Scan(&n)
	if n != 0 || len(e.mails()) != 0 {
		t.Fatalf("bad input left %d subscribers", n)
	}
	// A cross-site form post is CSRF, refused before anything happens.
	code, _ = e.postForm("/subscribe/weekly", url.Values{"email": {"x@example.org"}}, "Sec-Fetch-Site", "cross-site")
	if code != 403 || e.status("x@example.org") != "none" {
		t.Fatalf("cross-site subscribe: %d", code)
	}
}

func TestSubscribeRateLimited(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	// Per address: three, then 429, whoever asks.
	for i := 1; i <= 4; i++ {
		code, body := e.postForm("/subscribe/weekly", url.Values{"email": {"target@example.org"}})
		if i <= 3 && code != 200 {
			t.Fatalf("post %d: %d", i, code)
		}
		if i == 4 && (code != 429 || !strings.Contains(body, "Too many requests")) {
			t.Fatalf("post %d: %d, want 429\n%s", i, code, body)
		}
	}
	if n := len(e.mails()); n != 3 {
		t.Fatalf("%d confirmation emails to one address, want 3", n)
	}
	// Per IP: a burst of 20 posts, then 429 for any address.
	limited := false
	for i := 0; i < 25 && !limited; i++ {
		code, _ := e.postForm("/subscribe/weekly", url.Values{"email": {"other" + strings.Repeat("x", i) + "@example.org"}})
		limited = code == 429
	}
	if !limited {
		t.Fatal("25 posts from one IP were never limited")
	}
}

func TestConfirmExpiredAndUnknown(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	res := e.subscriber("weekly", "late@example.org", false)
	e.db.Pool.Exec(context.Background(), `UPDATE subscriptions SET confirm_expires_at = now() - interval '1 hour'`)
	for _, method := range []string{"GET", "POST"} {
		code, body := e.do(method, "/confirm/"+res.ConfirmToken, "", "")
		if code != 410 || !strings.Contains(body, "expired") {
			t.Fatalf("%s expired: %d\n%s", method, code, body)
		}
	}
	if got := e.status("late@example.org"); got != "pending:weekly=pending" {
		t.Fatalf("expired link changed %s", got)
	}
	_, unknown := e.do("GET", "/confirm/AAAAAAAAAAAAAAAAAAAAAA", "", "")
	code, junk := e.do("GET", "/confirm/%27%3B--", "", "")
	if code != 404 || junk != unknown {
		t.Fatalf("unknown vs malformed token: %d\n%s\n%s", code, unknown, junk)
	}
}

// The one-click POST exactly as a mailbox provider sends it: form-encoded
// List-Unsubscribe=One-Click, no cookie, no CSRF token, with and without
// Sec-Fetch-Site. 200 directly, immediate, idempotent.
func TestOneClickUnsubscribeRFC8058(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("a", true, true)
	e.list("b", false, false)
	res := e.subscriber("a", "reader@example.org", true)
	e.subscriber("b", "reader@example.org", true)
	tok := res.Subscriber.Token

	// GET shows a button and changes nothing (link scanners prefetch).
	code, body := e.do("GET", "/unsubscribe/"+tok, "", "")
	if code != 200 || !strings.Contains(body, `value="One-Click"`) || !strings.Contains(body, "reader@example.org") {
		t.Fatalf("GET: %d\n%s", code, body)
	}
	if got := e.status("reader@example.org"); got != "active:a=active,b=active" {
		t.Fatalf("GET changed state: %s", got)
	}
	// A POST without the one-click body changes nothing either.
	if code, _ := e.do("POST", "/unsubscribe/"+tok, "application/x-www-form-urlencoded", "foo=bar"); code != 400 {
		t.Fatalf("POST without One-Click: %d", code)
	}
	if got := e.status("reader@example.org"); got != "active:a=active,b=active" {
		t.Fatalf("bad POST changed state: %s", got)
	}
	for i, hdr := range [][]string{
		nil,
		{"Sec-Fetch-Site", "cross-site", "Origin", "https://mail.google.com"},
		{"Sec-Fetch-Site", "cross-site", "Origin", "null"},
	} {
		resp := e.resp("POST", "/unsubscribe/"+tok, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click", hdr...)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || len(resp.Cookies()) != 0 {
			t.Fatalf("one-click #%d: %d Location=%q", i, resp.StatusCode, resp.Header.Get("Location"))
		}
		if got := e.status("reader@example.org"); got != "unsubscribed:a=unsubscribed,b=unsubscribed" {
			t.Fatalf("after one-click #%d: %s", i, got)
		}
	}
	// Unknown and malformed tokens: the same 404.
	_, a := e.do("POST", "/unsubscribe/AAAAAAAAAAAAAAAAAAAAAA", "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	code, b := e.do("POST", "/unsubscribe/x", "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	if code != 404 || a != b {
		t.Fatalf("unknown token: %d", code)
	}
	if code, _ := e.do("GET", "/unsubscribe/AAAAAAAAAAAAAAAAAAAAAA", "", ""); code != 404 {
		t.Fatalf("GET unknown token: %d", code)
	}
}

func TestOneClickUnsubscribeMultipart(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("a", true, true)
	res := e.subscriber("a", "multi@example.org", true)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("List-Unsubscribe", "One-Click")
	mw.Close()
	code, _ := e.do("POST", "/unsubscribe/"+res.Subscriber.Token, mw.FormDataContentType(), buf.String(), "Sec-Fetch-Site", "cross-site")
	if code != 200 || e.status("multi@example.org") != "unsubscribed:a=unsubscribed" {
		t.Fatalf("multipart one-click: %d %s", code, e.status("multi@example.org"))
	}
}

func TestPreferencesPage(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("a", true, true)
	e.list("b", true, true)
	e.list("secret", false, false)
	res := e.subscriber("a", "pref@example.org", true)
	path := "/preferences/" + res.Subscriber.Token
	code, body := e.do("GET", path, "", "")
	if code != 200 || !strings.Contains(body, `value="a" checked`) || !strings.Contains(body, `value="b">`) || strings.Contains(body, "secret") {
		t.Fatalf("GET: %d\n%s", code, body)
	}
	code, body = e.postForm(path, url.Values{"name": {"Pat"}, "list": {"b"}})
	if code != 200 || !strings.Contains(body, "saved") || e.status("pref@example.org") != "active:a=unsubscribed,b=active" {
		t.Fatalf("save: %d %s\n%s", code, e.status("pref@example.org"), body)
	}
	// A list the page did not offer: 400, nothing changed.
	code, body = e.postForm(path, url.Values{"name": {"Pat"}, "list": {"a", "secret"}})
	if code != 400 || !strings.Contains(body, "Nothing was changed") || e.status("pref@example.org") != "active:a=unsubscribed,b=active" {
		t.Fatalf("unknown list: %d %s", code, e.status("pref@example.org"))
	}
	code, _ = e.postForm(path, url.Values{"name": {"Pat\r\nBcc: x@example.org"}, "list": {"a"}})
	if code != 400 {
		t.Fatalf("CR/LF name: %d", code)
	}
	// Cross-site: CSRF, refused.
	code, _ = e.postForm(path, url.Values{"action": {"unsubscribe-all"}}, "Sec-Fetch-Site", "cross-site")
	if code != 403 || e.status("pref@example.org") != "active:a=unsubscribed,b=active" {
		t.Fatalf("cross-site preferences: %d", code)
	}
	code, body = e.postForm(path, url.Values{"action": {"unsubscribe-all"}}, "Sec-Fetch-Site", "same-origin")
	if code != 200 || !strings.Contains(body, "unsubscribed from all") || e.status("pref@example.org") != "unsubscribed:a=unsubscribed,b=unsubscribed" {
		t.Fatalf("unsubscribe all: %d %s", code, e.status("pref@example.org"))
	}
	var name string
	e.db.Pool.QueryRow(context.Background(), `SELECT name FROM subscribers`).Scan(&name)
	if name != "Pat" {
		t.Fatalf("name = %q", name)
	}
	if code, _ := e.do("GET", "/preferences/AAAAAAAAAAAAAAAAAAAAAA", "", ""); code != 404 {
		t.Fatalf("unknown token: %d", code)
	}
}
