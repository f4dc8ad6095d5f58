package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// Every logged-in page and action answers each role as it should:
// anonymous users are sent to the login form, roles below the page's get
// 403 and nothing happens.
func TestPageRoles(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	it := &bulletin.Item{Title: "Untouched", Body: "x"}
	if err := db.CreateItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	id := itoa(it.ID)
	pages := []struct {
		method, path string
		min          string // least role
	}{
		{"GET", "/admin/", "editor"},
		{"GET", "/admin/items", "editor"},
		{"GET", "/admin/items/" + id + "/edit", "editor"},
		{"GET", "/admin/issues", "editor"},
		{"GET", "/admin/captured/", "editor"},
		{"GET", "/contribute", "contributor"},
		{"GET", "/admin/newsletters", "admin"},
		{"GET", "/admin/newsletters/weekly", "admin"},
		{"GET", "/admin/lists", "admin"},
		{"GET", "/admin/subscribers", "admin"},
		{"GET", "/admin/users", "admin"},
		{"GET", "/admin/users/1", "admin"},
		// Actions: each is refused before it does anything.
		{"POST", "/admin/items/" + id + "/reject", "editor"},
		{"POST", "/admin/items/" + id + "/move", "editor"},
		{"POST", "/admin/issues/weekly/compile", "editor"},
		{"POST", "/admin/lists", "admin"},
		{"POST", "/admin/users", "admin"},
		{"POST", "/admin/newsletters/weekly", "admin"},
	}
	roles := []string{"", "contributor", "editor", "admin"}
	clients := map[string]*http.Client{}
	for _, r := range roles {
		clients[r] = client(t)
		if r != "" {
			login(t, clients[r], base, r)
		}
	}
	for _, p := range pages {
		for _, r := range roles {
			if p.method == "POST" && (&bulletin.User{Role: r}).HasRole(p.min) {
				continue // allowed actions are tested with their pages
			}
			var code int
			var loc string
			if p.method == "GET" {
				code, loc, _ = get(t, clients[r], base+p.path)
			} else {
				code, loc, _ = post(t, clients[r], base+p.path, nil)
			}
			want := http.StatusOK
			switch {
			case r == "":
				want = http.StatusSeeOther
			case !(&bulletin.User{Role: r}).HasRole(p.min):
				want = http.StatusForbidden
			}
			if code != want {
				t.Errorf("%s %s as %q = %d, want %d", p.method, p.path, r, code, want)
			}
			if r == "" && !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s anonymous went to %q, want the login form", p.method, p.path, loc)
			}
		}
	}
	if after, _ := db.FindItemByID(ctx, it.ID); after.Status != bulletin.ItemSubmitted || after.Position != it.Position {
		t.Fatalf("a refused action changed the item: %+v", after)
	}
	if lists, _ := db.FindLists(ctx); len(lists) != 0 {
		t.Fatal("a refused action created a list")
	}
}

// The admin pages' script polls the JSON API with the session cookie and
// no bearer token; a cross-site request with the same cookie is refused.
func TestSessionReachesAPI(t *testing.T) {
	t.Parallel()
	_, _, base := adminServer(t, "")
	ed := client(t)
	login(t, ed, base, "editor")
	if code, _, body := get(t, ed, base+"/api/v1/items"); code != 200 {
		t.Fatalf("API with the session = %d %s", code, body)
	}
	if code, _, _ := get(t, client(t), base+"/api/v1/items"); code != http.StatusUnauthorized {
		t.Fatalf("API without a session = %d, want 401", code)
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/items", strings.NewReader(`{"title":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := ed.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST with the session cookie = %d, want 403", resp.StatusCode)
	}
}
