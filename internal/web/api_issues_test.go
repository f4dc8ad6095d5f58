package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/compile"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/render"
	"bulletin/templates"
)

// issuesAPI serves the issues routes over a fresh database with one
// newsletter and one approved item, every request coming from role.
func issuesAPI(t *testing.T, role string) (*httptest.Server, *postgres.DB) {
	t.Helper()
	db := pgtest.New(t)
	ctx := context.Background()
	var nl int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO newsletters (slug, name, is_default, send_delay) VALUES ('weekly', 'Weekly update', true, '1 hour') RETURNING id`).Scan(&nl); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO items (newsletter_id, title, body_html, status, approved_at)
		VALUES ($1, 'Repair café on Saturday', '<p>Bring a toaster.</p>', 'approved', now())`, nl); err != nil {
		t.Fatal(err)
	}
	s := wired(db)
	s.Compiler = compiler(t, db)
	ts := serveAs(t, s, asRole(role))
	return ts, db
}

// compiler is the compile stage over db with the built-in templates, wired
// to the store as main wires it.
func compiler(t *testing.T, db *postgres.DB) *compile.Compiler {
	t.Helper()
	r, err := render.New(templates.Builtin(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &compile.Compiler{Store: db, Render: r.ForCompile("http://localhost:8080")}
	db.RenderIssue = c.RenderAgain
	return c
}

func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestIssuesAPI(t *testing.T) {
	t.Parallel()
	ts, _ := issuesAPI(t, bulletin.RoleEditor)
	base := ts.URL + "/api/v1/newsletters/weekly/issues"

	code, body := call(t, "POST", base, "")
	if code != http.StatusCreated {
		t.Fatalf("compile: %d %s", code, body)
	}
	var is struct {
		Number      int             `json:"number"`
		Status      string          `json:"status"`
		Subject     string          `json:"subject"`
		Items       []bulletin.Item `json:"items"`
		Counts      bulletin.Counts `json:"counts"`
		ScheduledAt *time.Time      `json:"scheduled_at"`
	}
	if err := json.Unmarshal([]byte(body), &is); err != nil {
		t.Fatal(err)
	}
	if is.Number != 1 || is.Status != "scheduled" || is.ScheduledAt == nil || len(is.Items) != 1 || is.Subject != "Weekly update 1: Repair café on Saturday" {
		t.Errorf("compiled issue = %+v", is)
	}
	if strings.Contains(body, "<table") {
		t.Error("the JSON carries the HTML snapshot")
	}

	code, body = call(t, "POST", base, `{"allow_empty": false}`)
	if code != http.StatusConflict || !strings.Contains(body, "nothing to compile") {
		t.Errorf("second compile: %d %s, want 409 nothing to compile", code, body)
	}
	if code, body = call(t, "GET", base, ""); code != 200 || !strings.Contains(body, `"number": 1`) {
		t.Errorf("list: %d %s", code, body)
	}
	if code, body = call(t, "GET", base+"/1", ""); code != 200 || !strings.Contains(body, `"counts"`) || !strings.Contains(body, "Repair café") {
		t.Errorf("get: %d %s", code, body)
	}
	code, body = call(t, "GET", base+"/1/preview", "")
	if code != 200 || !strings.Contains(body, "Hi there,") || strings.Contains(body, "__BULLETIN_") || !strings.Contains(body, `name="item-1"`) {
		t.Errorf("preview: %d %.200s", code, body)
	}
	if code, body = call(t, "GET", base+"/1/preview?format=text", ""); code != 200 || !strings.Contains(body, "1. Repair café on Saturday") {
		t.Errorf("text preview: %d %s", code, body)
	}
	if code, body = call(t, "POST", base+"/1/render", ""); code != 200 || !strings.Contains(body, `"status": "scheduled"`) {
		t.Errorf("render: %d %s", code, body)
	}
	if code, body = call(t, "POST", base+"/1/cancel", ""); code != 200 || !strings.Contains(body, `"status": "cancelled"`) {
		t.Errorf("cancel: %d %s", code, body)
	}
	if code, body = call(t, "POST", base+"/1/cancel", ""); code != http.StatusUnprocessableEntity {
		t.Errorf("second cancel: %d %s, want 422", code, body)
	}
	if code, body = call(t, "POST", base+"/1/render", ""); code != http.StatusUnprocessableEntity {
		t.Errorf("render of a cancelled issue: %d %s, want 422", code, body)
	}
}

// Bad input gets a clear 4xx and changes nothing.
// An editor who corrects an item of a compiled, unsent issue gets the issue
// rendered again at once; once the issue is sending, the item is frozen and
// the snapshot stays as sent.
func TestCorrectingAnItemRendersItsIssueAgain(t *testing.T) {
	t.Parallel()
	ts, db := issuesAPI(t, bulletin.RoleEditor)
	ctx := context.Background()
	if code, body := call(t, "POST", ts.URL+"/api/v1/newsletters/weekly/issues", ""); code != http.StatusCreated {
		t.Fatalf("compile: %d %s", code, body)
	}
	var item int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM items`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	snapshot := func() (subject, html string) {
		if err := db.Pool.QueryRow(ctx, `SELECT subject, html FROM issues WHERE number = 1`).Scan(&subject, &html); err != nil {
			t.Fatal(err)
		}
		return subject, html
	}
	url := ts.URL + "/api/v1/items/" + strconv.FormatInt(item, 10)
	code, body := call(t, "PATCH", url, `{"title": "Repair café on Sunday", "body": "Bring a *kettle*."}`)
	if code != http.StatusOK || !strings.Contains(body, `"issue": 1`) {
		t.Fatalf("correction: %d %s", code, body)
	}
	if subject, html := snapshot(); subject != "Weekly update 1: Repair café on Sunday" || !strings.Contains(html, "<em>kettle</em>") || strings.Contains(html, "Saturday") {
		t.Errorf("after the correction the issue is %q and its HTML still says Saturday or lacks the new body", subject)
	}
	if code, body := call(t, "PATCH", url, `{"section": "elsewhere"}`); code != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot move") {
		t.Errorf("moving an item of an issue: %d %s, want 422", code, body)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sending'`); err != nil {
		t.Fatal(err)
	}
	if code, body := call(t, "PATCH", url, `{"title": "Too late"}`); code != http.StatusUnprocessableEntity || !strings.Contains(body, "sending") {
		t.Errorf("correcting an item of a sending issue: %d %s, want 422", code, body)
	}
	if subject, _ := snapshot(); subject != "Weekly update 1: Repair café on Sunday" {
		t.Errorf("the snapshot of a sending issue changed to %q", subject)
	}
}

func TestIssuesAPIBadInput(t *testing.T) {
	t.Parallel()
	ts, db := issuesAPI(t, bulletin.RoleEditor)
	base := ts.URL + "/api/v1/newsletters/weekly/issues"
	for _, tt := range []struct {
		method, url, body string
		want              int
	}{
		{"POST", base, `{"allow_empty": true, "extra": 1}`, 400},
		{"POST", base, `{"allow_empty": "yes"}`, 400},
		{"POST", base, `not json`, 400},
		{"POST", ts.URL + "/api/v1/newsletters/nope/issues", "", 404},
		{"GET", ts.URL + "/api/v1/newsletters/nope/issues", "", 404},
		{"GET", base + "/7", "", 404},
		{"GET", base + "/x", "", 400},
		{"GET", base + "/-1/preview", "", 400},
		{"POST", base + "/7/cancel", "", 404},
	} {
		if code, body := call(t, tt.method, tt.url, tt.body); code != tt.want || !strings.Contains(body, `"error"`) {
			t.Errorf("%s %s %s = %d %s, want %d", tt.method, tt.url, tt.body, code, body, tt.want)
		}
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM issues`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d issues after bad requests (%v)", n, err)
	}
}

// Only editors and admins manage issues.
func TestIssuesAPIRequiresEditor(t *testing.T) {
	t.Parallel()
	for role, want := range map[string]int{"": 401, bulletin.RoleContributor: 403} {
		ts, db := issuesAPI(t, role)
		if code, _ := call(t, "POST", ts.URL+"/api/v1/newsletters/weekly/issues", ""); code != want {
			t.Errorf("role %q: compile = %d, want %d", role, code, want)
		}
		if code, _ := call(t, "GET", ts.URL+"/api/v1/newsletters/weekly/issues", ""); code != want {
			t.Errorf("role %q: list = %d, want %d", role, code, want)
		}
		var n int
		if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM issues`).Scan(&n); err != nil || n != 0 {
			t.Errorf("role %q: %d issues created", role, n)
		}
	}
}
