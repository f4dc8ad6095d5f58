package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/alexedwards/scs/pgxstore"
)

// fakeUsers stands in for the user store in login tests: passwords are
// kept as given.
type fakeUsers struct {
	users     []*bulletin.User
	passwords map[string]string
}

func (f *fakeUsers) add(id int64, email, role, password string) *bulletin.User {
	u := &bulletin.User{ID: id, Email: email, Role: role}
	f.users = append(f.users, u)
	if f.passwords == nil {
		f.passwords = map[string]string{}
	}
	f.passwords[email] = password
	return u
}

func (f *fakeUsers) FindUserByID(ctx context.Context, id int64) (*bulletin.User, error) {
	for _, u := range f.users {
		if u.ID == id {
			return u, nil
		}
	}
	return nil, bulletin.Errorf(bulletin.ENOTFOUND, "user not found")
}

func (f *fakeUsers) Authenticate(ctx context.Context, email, password string) (*bulletin.User, error) {
	for _, u := range f.users {
		if strings.EqualFold(u.Email, email) && f.passwords[u.Email] == password {
			return u, nil
		}
	}
	return nil, bulletin.Errorf(bulletin.EUNAUTHORIZED, "wrong email or password")
}

// adminServer serves the admin UI on a fresh database with one user per
// role (password "secret-"+role).
func adminServer(t *testing.T, baseURL string) (*Server, *postgres.DB, string) {
	t.Helper()
	db := pgtest.New(t)
	users := &fakeUsers{}
	users.add(1, "admin@example.org", bulletin.RoleAdmin, "secret-admin")
	users.add(2, "editor@example.org", bulletin.RoleEditor, "secret-editor")
	users.add(3, "contributor@example.org", bulletin.RoleContributor, "secret-contributor")
	s := &Server{Health: db, BaseURL: baseURL, Sessions: pgxstore.NewWithCleanupInterval(db.Pool, 0), Users: users, Captured: db}
	ts := serve(t, s)
	return s, db, ts.URL
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
