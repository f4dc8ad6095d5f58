package web

import (
	"fmt"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// A contributor makes a token over the API, uses it, lists it (without the
// secret) and revokes it.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	var created struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Token string `json:"token"`
	}
	e.must(t, 201, "contributor", "POST", "/api/v1/tokens", `{"name":"phone"}`, &created)
	if len(created.Token) != 43 || created.Name != "phone" {
		t.Fatalf("created %+v", created)
	}
	e.tokens["phone"] = created.Token
	var its []bulletin.Item
	e.must(t, 200, "phone", "GET", "/api/v1/items", nil, &its)
	code, out := e.call(t, "phone", "GET", "/api/v1/tokens", nil)
	if code != 200 || strings.Contains(string(out), created.Token) || !strings.Contains(string(out), `"phone"`) {
		t.Fatalf("token list %d %s", code, out)
	}
	e.must(t, 204, "contributor", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), nil, nil)
	e.must(t, 401, "phone", "GET", "/api/v1/items", nil, nil)
	for _, body := range []string{`{"name":"a\nb"}`, `{"name":"x","email":"ghost@example.org"}`, `{"nam":"x"}`} {
		who := "contributor"
		if strings.Contains(body, "email") {
			who = "admin"
		}
		if code, out := e.call(t, who, "POST", "/api/v1/tokens", body); code != 400 {
			t.Errorf("POST /api/v1/tokens %s = %d %s, want 400", body, code, out)
		}
	}
}

func TestAPIUsers(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	var u bulletin.User
	e.must(t, 201, "admin", "POST", "/api/v1/users", `{"email":"New@Example.org","name":"New","role":"editor","password":"a long password"}`, &u)
	if u.Role != "editor" || u.Email != "New@Example.org" {
		t.Fatalf("created %+v", u)
	}
	code, out := e.call(t, "admin", "GET", "/api/v1/users", nil)
	if code != 200 || strings.Contains(string(out), "argon2") || strings.Contains(string(out), "password") {
		t.Fatalf("user list leaks password hashes: %s", out)
	}
	e.must(t, 200, "admin", "PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), `{"role":"contributor"}`, &u)
	if u.Role != "contributor" {
		t.Fatalf("patched %+v", u)
	}
	admin := e.users["admin"].ID
	for _, tc := range []struct {
		method, path, body string
		code               int
	}{
		{"POST", "/api/v1/users", `{"email":"new@example.ORG","role":"editor"}`, 409},
		{"POST", "/api/v1/users", `{"email":"nope","role":"editor"}`, 400},
		{"POST", "/api/v1/users", `{"email":"a@example.org","role":"root"}`, 400},
		{"POST", "/api/v1/users", `{"email":"a@example.org","role":"editor","password":"short"}`, 400},
		{"POST", "/api/v1/users", `{"email":"a@example.org","role":"editor","password_hash":"x"}`, 400},
		{"PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), `{"role":"king"}`, 400},
		{"PATCH", fmt.Sprintf("/api/v1/users/%d", admin), `{"role":"editor"}`, 422},
		{"DELETE", fmt.Sprintf("/api/v1/users/%d", admin), "", 422},
	} {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		if code, out := e.call(t, "admin", tc.method, tc.path, body); code != tc.code {
			t.Errorf("%s %s %s = %d %s, want %d", tc.method, tc.path, tc.body, code, out, tc.code)
		}
	}
	var us []bulletin.User
	e.must(t, 200, "admin", "GET", "/api/v1/users", nil, &us)
	if len(us) != 5 {
		t.Fatalf("%d users, want 5: refused requests stored some", len(us))
	}
}
