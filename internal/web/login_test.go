package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestLoginLogout(t *testing.T) {
	_, _, base := adminServer(t, "")
	c := client(t)
	code, loc, _ := get(t, c, base+"/admin/")
	if code != http.StatusSeeOther || loc != "/login?next=%2Fadmin%2F" {
		t.Fatalf("anonymous /admin/ = %d %q, want 303 to the login form", code, loc)
	}
	code, _, body := post(t, c, base+"/login", url.Values{"email": {"editor@example.org"}, "password": {"wrong"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, "Wrong email or password.") {
		t.Fatalf("wrong password = %d, body lacks the message", code)
	}
	code, loc, _ = post(t, c, base+"/login", url.Values{"email": {"editor@example.org"}, "password": {"secret-editor"}, "next": {"/admin/"}})
	if code != http.StatusSeeOther || loc != "/admin/" {
		t.Fatalf("login = %d %q", code, loc)
	}
	if code, _, body = get(t, c, base+"/admin/"); code != 200 || !strings.Contains(body, "editor@example.org") {
		t.Fatalf("/admin/ after login = %d", code)
	}
	if code, loc, _ = post(t, c, base+"/logout", nil); code != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("logout = %d %q", code, loc)
	}
	if code, _, _ = get(t, c, base+"/admin/"); code != http.StatusSeeOther {
		t.Fatalf("/admin/ after logout = %d, want 303", code)
	}
}

// Login lands each role on its home page, and an offsite next is ignored.
func TestLoginRedirects(t *testing.T) {
	_, _, base := adminServer(t, "")
	for _, tc := range []struct{ role, next, want string }{
		{"contributor", "", "/contribute"},
		{"editor", "", "/admin/"},
		{"admin", "//evil.example/x", "/admin/"},
		{"admin", "https://evil.example/", "/admin/"},
		{"admin", "/admin/captured/", "/admin/captured/"},
	} {
		c := client(t)
		_, loc, _ := post(t, c, base+"/login", url.Values{"email": {tc.role + "@example.org"}, "password": {"secret-" + tc.role}, "next": {tc.next}})
		if loc != tc.want {
			t.Errorf("%s with next %q went to %q, want %q", tc.role, tc.next, loc, tc.want)
		}
	}
}

// The session token changes at login, and the old one is gone from the
// store, so a token planted before login is worth nothing after it.
func TestLoginRenewsToken(t *testing.T) {
	_, db, base := adminServer(t, "")
	c := client(t)
	login(t, c, base, "editor")
	u, _ := url.Parse(base)
	first := c.Jar.Cookies(u)
	if len(first) != 1 || first[0].Name != "bulletin_session" {
		t.Fatalf("cookies after login: %v", first)
	}
	login(t, c, base, "admin")
	second := c.Jar.Cookies(u)
	if second[0].Value == first[0].Value {
		t.Fatal("session token was not renewed at login")
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE token = $1`, first[0].Value).Scan(&n); err != nil || n != 0 {
		t.Fatalf("old token still stored: n=%d err=%v", n, err)
	}
}

func TestSessionCookieSecureOnHTTPS(t *testing.T) {
	for _, tc := range []struct {
		base   string
		secure bool
	}{{"https://news.example.org", true}, {"http://localhost:8080", false}} {
		_, _, base := adminServer(t, tc.base)
		req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"email": {"admin@example.org"}, "password": {"secret-admin"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cs := resp.Cookies()
		if len(cs) != 1 || cs[0].Secure != tc.secure || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode {
			t.Errorf("base %s: cookie %+v, want Secure=%v HttpOnly SameSite=Lax", tc.base, cs, tc.secure)
		}
	}
}

// After five failures for one email even the right password is refused,
// and no session is created; other emails still work.
func TestLoginRateLimitPerEmail(t *testing.T) {
	_, _, base := adminServer(t, "")
	c := client(t)
	for i := 0; i < 5; i++ {
		if code, _, _ := post(t, c, base+"/login", url.Values{"email": {"editor@example.org"}, "password": {"guess"}}); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d = %d, want 401", i+1, code)
		}
	}
	code, _, body := post(t, c, base+"/login", url.Values{"email": {"EDITOR@example.org"}, "password": {"secret-editor"}})
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed attempts") {
		t.Fatalf("6th attempt = %d, want 429", code)
	}
	if code, _, _ := get(t, c, base+"/admin/"); code != http.StatusSeeOther {
		t.Fatalf("a refused login still opened /admin/: %d", code)
	}
	login(t, c, base, "admin")
}

// One IP guessing many emails is stopped after 20 failures.
func TestLoginRateLimitPerIP(t *testing.T) {
	_, db, base := adminServer(t, "")
	c := client(t)
	for i := 0; i < 20; i++ {
		email := "user" + strconv.Itoa(i) + "@example.org"
		mustUser(t, db, email, "contributor")
		post(t, c, base+"/login", url.Values{"email": {email}, "password": {"guess"}})
	}
	if code, _, _ := post(t, c, base+"/login", url.Values{"email": {"admin@example.org"}, "password": {"secret-admin"}}); code != http.StatusTooManyRequests {
		t.Fatalf("after 20 failures from one IP = %d, want 429", code)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/admin/items?status=submitted": "/admin/items?status=submitted",
		"":                              "",
		"//evil.example":                "",
		`/\evil.example`:                "",
		"https://evil.example/":         "",
		"admin":                         "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
