package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// apiEnv is a served API on a fresh database with one user and token per
// role, plus a second contributor.
type apiEnv struct {
	db     *postgres.DB
	ts     *httptest.Server
	users  map[string]*bulletin.User
	tokens map[string]string // by role name; "other" is the second contributor
}

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	e := &apiEnv{db: db, users: map[string]*bulletin.User{}, tokens: map[string]string{}}
	for name, role := range map[string]string{"contributor": "contributor", "other": "contributor", "editor": "editor", "admin": "admin"} {
		u := &bulletin.User{Email: name + "@example.org", Role: role}
		if err := db.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		tok, _, err := db.CreateToken(ctx, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.users[name], e.tokens[name] = u, tok
	}
	e.ts = serve(t, wired(db))
	return e
}

// call sends body (a string of JSON, or nil) with the token of who ("" for
// none) and returns the status and raw answer.
func (e *apiEnv) call(t *testing.T, who, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// must calls and fails the test unless the status is want; it decodes the
// answer into v when v is not nil.
func (e *apiEnv) must(t *testing.T, want int, who, method, path string, body any, v any) {
	t.Helper()
	code, out := e.call(t, who, method, path, body)
	if code != want {
		t.Fatalf("%s %s as %q = %d %s, want %d", method, path, who, code, out, want)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, out)
		}
	}
}

func (e *apiEnv) item(t *testing.T, owner string, status string) *bulletin.Item {
	t.Helper()
	it := &bulletin.Item{Title: "By " + owner, ContributorID: &e.users[owner].ID, Status: status}
	if err := e.db.CreateItem(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	return it
}

func errorOf(t *testing.T, out []byte) string {
	t.Helper()
	var v struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Error == "" {
		t.Fatalf("answer %s is not {\"error\": …}", out)
	}
	return v.Error
}
