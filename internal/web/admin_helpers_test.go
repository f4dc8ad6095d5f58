package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/password"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/alexedwards/scs/pgxstore"
)

// adminServer serves the admin UI on a fresh database with one user per
// role (ROLE@example.org, password "secret-"+role).
func adminServer(t *testing.T, baseURL string) (*Server, *postgres.DB, string) {
	t.Helper()
	db := pgtest.New(t)
	for _, role := range []string{bulletin.RoleAdmin, bulletin.RoleEditor, bulletin.RoleContributor} {
		mustUser(t, db, role+"@example.org", role)
	}
	s := wired(db)
	s.BaseURL, s.Sessions, s.Compiler = baseURL, pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}
	ts := serve(t, s)
	return s, db, ts.URL
}

// noCompiler stands in for the compile service where a test needs the
// issue pages routed but compiles nothing.
type noCompiler struct{}

func (noCompiler) Compile(ctx context.Context, newsletter string, slot *time.Time, allowEmpty bool) (*bulletin.Issue, error) {
	return nil, bulletin.Errorf(bulletin.ECONFLICT, "no approved items to compile")
}

// mustUser creates a user whose password is "secret-"+role. The hash has
// tiny argon2id costs (Verify reads them from the hash) so that logins in
// tests stay cheap on a loaded machine; production hashes use the defaults.
func mustUser(t *testing.T, db *postgres.DB, email, role string) *bulletin.User {
	t.Helper()
	hash, err := password.HashWith(password.Params{Time: 1, Memory: 1024, Threads: 1}, "secret-"+role)
	if err != nil {
		t.Fatal(err)
	}
	u := &bulletin.User{Email: email, Role: role}
	err = db.Pool.QueryRow(context.Background(), `INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3) RETURNING id`,
		email, role, hash).Scan(&u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// client is a browser-like HTTP client: a cookie jar, no redirects
// followed, so tests see each answer.
func client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// get returns the status, Location and body of GET url.
func get(t *testing.T, c *http.Client, u string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// post submits a form the way a same-origin page does.
func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// login logs c in as role and fails the test if that does not work.
func login(t *testing.T, c *http.Client, base, role string) {
	t.Helper()
	code, _, body := post(t, c, base+"/login", url.Values{"email": {role + "@example.org"}, "password": {"secret-" + role}})
	if code != http.StatusSeeOther {
		t.Fatalf("login as %s: %d %s", role, code, body)
	}
}
