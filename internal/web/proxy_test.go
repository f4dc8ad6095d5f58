package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"bulletin/internal/pgtest"

	"github.com/alexedwards/scs/pgxstore"
)

func TestForwardedFor(t *testing.T) {
	s := &Server{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	for _, tc := range []struct {
		peer string
		xff  []string
		want string
	}{
		{"192.0.2.1:5000", []string{"203.0.113.9"}, "192.0.2.1"},                       // untrusted peer: header ignored
		{"10.0.0.2:5000", nil, "10.0.0.2"},                                             // trusted, no header: the proxy itself
		{"10.0.0.2:5000", []string{"203.0.113.9"}, "203.0.113.9"},                      // the client the proxy saw
		{"10.0.0.2:5000", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},             // spoofed left part ignored
		{"10.0.0.2:5000", []string{"1.1.1.1", "203.0.113.9, 10.0.0.3"}, "203.0.113.9"}, // two proxies, two headers
		{"10.0.0.2:5000", []string{"10.0.0.7, 10.0.0.3"}, "10.0.0.7"},                  // only proxies: the farthest
		{"10.0.0.2:5000", []string{"203.0.113.9, junk"}, "10.0.0.2"},                   // junk: stop at the last readable hop
		{"[::1]:5000", []string{"2001:db8::1"}, "2001:db8::1"},                         // IPv6
		{"[::ffff:10.0.0.2]:5000", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},      // mapped addresses
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.forwardedFor(r); got != tc.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %s, want %s", tc.peer, tc.xff, got, tc.want)
		}
	}
}

// Behind a trusted proxy each client has its own per-IP login limit; from
// anyone else X-Forwarded-For changes nothing, so it cannot be used to get
// around the limit.
func TestLoginLimitBehindProxy(t *testing.T) {
	for _, tc := range []struct {
		trusted string
		want    int // answer to the 21st failure, each from a different forwarded client
	}{
		{"", http.StatusTooManyRequests},
		{"127.0.0.1/32", http.StatusUnauthorized},
	} {
		db := pgtest.New(t)
		var proxies []netip.Prefix
		if tc.trusted != "" {
			proxies = []netip.Prefix{netip.MustParsePrefix(tc.trusted)}
		}
		s := &Server{Health: db, Sessions: pgxstore.NewWithCleanupInterval(db.Pool, 0), Users: db, RateLimits: db, TrustedProxies: proxies}
		ts := serve(t, s)
		code := 0
		for i := range 21 {
			form := url.Values{"email": {"nobody" + string(rune('a'+i)) + "@example.org"}, "password": {"wrong"}}
			req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", "203.0.113."+string(rune('0'+i%10))+string(rune('0'+i/10)))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			code = resp.StatusCode
		}
		if code != tc.want {
			t.Errorf("trusted proxies %q: 21st failure from distinct forwarded clients = %d, want %d", tc.trusted, code, tc.want)
		}
	}
}

// With an https base URL the session cookie is Secure (and HttpOnly,
// SameSite=Lax); responses carry HSTS (TestSecurityHeadersOnEveryRoute).
func TestSecureCookieWithHTTPS(t *testing.T) {
	for _, base := range []string{"https://news.example.org", "http://localhost:8080"} {
		_, _, url := adminServer(t, base)
		c := client(t)
		req, _ := http.NewRequest("POST", url+"/login", strings.NewReader("email=admin%40example.org&password=secret-admin"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cookie := resp.Header.Get("Set-Cookie")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
			t.Fatalf("%s: login = %d, cookie %q", base, resp.StatusCode, cookie)
		}
		if secure := strings.Contains(cookie, "; Secure"); secure != strings.HasPrefix(base, "https:") {
			t.Errorf("%s: cookie %q, Secure = %v", base, cookie, secure)
		}
		if hsts := resp.Header.Get("Strict-Transport-Security"); (hsts != "") != strings.HasPrefix(base, "https:") {
			t.Errorf("%s: HSTS %q", base, hsts)
		}
	}
}

// /static/ serves its files but no folder listings.
func TestStaticNoListing(t *testing.T) {
	ts := serve(t, &Server{Health: pgtest.New(t)})
	for path, want := range map[string]int{"/static/": 404, "/static/style.css": 200, "/static/../static/": 404} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
}
