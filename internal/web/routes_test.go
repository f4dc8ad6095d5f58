package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/alexedwards/scs/pgxstore"
)

// noSending stands in for the delivery service: the route table test only
// needs the send routes routed.
type noSending struct{}

func (noSending) Send(context.Context, string, int) (int64, error) {
	return 0, bulletin.Errorf(bulletin.ENOTFOUND, "issue not found")
}

func (noSending) SendTest(context.Context, string, int, string) (string, error) {
	return "", bulletin.Errorf(bulletin.ENOTFOUND, "issue not found")
}

func (noSending) IssueProgress(context.Context, int64) (*bulletin.Progress, error) {
	return &bulletin.Progress{}, nil
}

// fullServer wires every optional part, so that the table has every route.
func fullServer(t *testing.T) (*Server, *postgres.DB) {
	t.Helper()
	db := pgtest.New(t)
	if _, err := db.EnsureDefaultNewsletter(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := wired(db)
	s.Archive, s.Compiler, s.Delivery = db, noCompiler{}, noSending{}
	s.Sessions = pgxstore.NewWithCleanupInterval(db.Pool, 0)
	s.Metrics = http.NotFoundHandler()
	return s, db
}

// samplePath fills a route pattern's wildcards with values that exist in
// no database, so that a request let through changes nothing.
func samplePath(pattern string) string {
	_, path, _ := strings.Cut(pattern, " ")
	r := strings.NewReplacer("{nl}", "weekly", "{number}", "999", "{id}", "999999", "{slug}", "nosuch",
		"{list}", "nosuch", "{token}", "0123456789abcdefghij", "{yyyy}", "2026", "{mm}", "01",
		"{rest...}", "nosuch", "{$}", "")
	return r.Replace(path)
}

// Every route of the table, as every role: routes above the caller's role
// answer 401 (anonymous) or 403 in JSON under /api/, and a login redirect
// or the 403 page elsewhere; routes within it get past the check.
func TestRouteTableRoles(t *testing.T) {
	t.Parallel()
	s, _ := fullServer(t)
	ts := serveAs(t, s, func(r *http.Request) *bulletin.User { return asRole(r.Header.Get("X-Test-Role"))(r) })
	table := s.routeTable()
	for _, rt := range table {
		switch rt.Role {
		case anyone, contributor, editor, admin:
		default:
			t.Errorf("%s: unknown role %q", rt.Pattern, rt.Role)
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, rt := range table {
		method, _, _ := strings.Cut(rt.Pattern, " ")
		path := samplePath(rt.Pattern)
		for _, role := range []string{"", contributor, editor, admin} {
			req := httptest.NewRequest(method, ts.URL+path, nil)
			req.RequestURI = ""
			req.Header.Set("X-Test-Role", role)
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			got := answer{resp.StatusCode, resp.Header, string(body)}
			who := role
			if who == "" {
				who = "anonymous"
			}
			if msg := checkRole(rt, role, got); msg != "" {
				t.Errorf("%s %s as %s: %s (status %d)", method, path, who, msg, got.status)
			}
		}
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

// checkRole says what is wrong with a's answer to role on rt, or "".
func checkRole(rt route, role string, a answer) string {
	allowed := rt.Role == anyone || role != "" && (&bulletin.User{Role: role}).HasRole(rt.Role)
	isJSON := strings.HasPrefix(a.header.Get("Content-Type"), "application/json")
	var e struct{ Error string }
	if isJSON {
		_ = json.Unmarshal([]byte(a.body), &e)
	}
	refusedAPI := isJSON && (a.status == 401 && strings.HasPrefix(e.Error, "authentication required") ||
		a.status == 403 && strings.HasPrefix(e.Error, "this needs the"))
	toLogin := a.status == http.StatusSeeOther && strings.HasPrefix(a.header.Get("Location"), "/login")
	forbiddenPage := a.status == 403 && strings.Contains(a.body, "<h1>Not allowed</h1>")
	switch {
	case allowed && (refusedAPI || forbiddenPage || toLogin && rt.Role != anyone):
		return "refused a role the table allows"
	case allowed:
		return ""
	case rt.isAPI() && role == "":
		if a.status != 401 || !refusedAPI || a.header.Get("WWW-Authenticate") == "" {
			return "want 401 JSON with WWW-Authenticate"
		}
	case rt.isAPI():
		if a.status != 403 || !refusedAPI {
			return "want 403 JSON"
		}
	case role == "":
		if !toLogin {
			return "want a redirect to /login"
		}
	default:
		if !forbiddenPage {
			return "want the 403 page"
		}
	}
	return ""
}
