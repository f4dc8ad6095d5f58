package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/postgres"

	"github.com/alexedwards/scs/pgxstore"
)

// routePatterns reads every pattern registered in routes.go, so a route
// added there is covered by the header test without editing it.
func routePatterns(t *testing.T, s *Server) []string {
	t.Helper()
	var out []string
	for _, rt := range s.routeTable() {
		out = append(out, rt.Pattern)
	}
	if len(out) < 50 {
		t.Fatalf("found %d routes in the table", len(out))
	}
	return out
}

// fillPattern turns "GET /archive/{nl}/{number}" into a request path with
// values that exist in the fixture.
func fillPattern(pattern, token string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	r := strings.NewReplacer("{$}", "", "{nl}", "weekly", "{number}", "1", "{yyyy}", "2026", "{mm}", "10",
		"{token}", token, "{list}", "weekly-readers", "{id}", "1", "{slug}", "news", "{rest...}", "x/y/z")
	return method, r.Replace(path)
}

// hardenedServerToken is the preferences token of the subscriber hardenedServer adds.
const hardenedServerToken = "prefs-token-0123456789"

// hardenedServer serves every route: the archive fixture, an admin
// (admin@example.org), a subscriber, all stores wired, an https base URL.
func hardenedServer(t *testing.T) (*Server, *httptest.Server, *postgres.DB) {
	t.Helper()
	f := newArchiveFixture(t)
	seedArchive(f, "http://127.0.0.1:1")
	db := f.db
	mustUser(t, db, "admin@example.org", bulletin.RoleAdmin)
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO subscribers (email, name, token) VALUES ('jane@example.org', 'Jane', $1)`, hardenedServerToken); err != nil {
		t.Fatal(err)
	}
	s := wired(db)
	s.Sessions, s.Compiler, s.Archive, s.Delivery = pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}, db, fakeSender{}
	s.Metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up 1\n") })
	s.BaseURL, s.RateLimits = "https://news.example.org", db
	return s, serve(t, s), db
}

type fakeSender struct{}

func (fakeSender) Send(context.Context, string, int) (int64, error) { return 0, nil }
func (fakeSender) SendTest(context.Context, string, int, string) (string, error) {
	return "", bulletin.Errorf(bulletin.EINVALID, "not in this test")
}
func (fakeSender) IssueProgress(context.Context, int64) (*bulletin.Progress, error) {
	return nil, bulletin.Errorf(bulletin.ENOTFOUND, "no progress")
}

// Issue 16, defect 5: subscriber pages sent none of the security headers.
// Every route in routes.go, anonymous and as an admin, answers with the
// one policy: a CSP with frame-ancestors, nosniff, a Referrer-Policy, and
// no-store where a page may show personal data. The archive's stored email
// keeps its own sandboxing CSP.
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	s, ts, _ := hardenedServer(t)
	mux := http.NewServeMux()
	s.routes(mux)
	const tok = hardenedServerToken

	admin := client(t)
	login(t, admin, ts.URL, bulletin.RoleAdmin)
	for _, pattern := range routePatterns(t, s) {
		method, path := fillPattern(pattern, tok)
		probe := httptest.NewRequest(method, path, nil)
		if _, got := mux.Handler(probe); got != pattern {
			t.Errorf("%s: not routed in this test (got %q); wire its store", pattern, got)
			continue
		}
		for _, who := range []string{"anonymous", "admin"} {
			c := client(t)
			if who == "admin" {
				c = admin
			}
			req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(url.Values{"x": {"1"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			h := resp.Header
			where := who + " " + method + " " + path + " (" + strconv.Itoa(resp.StatusCode) + ")"
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "frame-ancestors") || !strings.Contains(csp, "default-src") {
				t.Errorf("%s: CSP %q", where, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
				t.Errorf("%s: nosniff %q, Referrer-Policy %q", where, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
			if h.Get("Strict-Transport-Security") == "" {
				t.Errorf("%s: no HSTS though the base URL is https", where)
			}
			if personalPath(path) && h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", where, h.Get("Cache-Control"))
			}
			if pattern == "GET /archive/{nl}/{number}/email" && (resp.StatusCode != 200 || !strings.Contains(csp, "sandbox")) {
				t.Errorf("%s: the stored email lost its sandbox CSP: %q", where, csp)
			}
			if pattern == "GET /preferences/{token}" && resp.StatusCode != 200 {
				t.Errorf("%s: want the preferences page itself", where)
			}
		}
	}
}
