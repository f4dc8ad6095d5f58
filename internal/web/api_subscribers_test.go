package web

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestListsAPI(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	admin := []string{"X-Test-Role", "admin"}
	// Who may: nobody anonymous, no editor.
	if code, _ := e.do("GET", "/api/v1/lists", "", ""); code != 401 {
		t.Fatalf("anonymous: %d", code)
	}
	if code, _ := e.do("GET", "/api/v1/lists", "", "", "X-Test-Role", "editor"); code != 403 {
		t.Fatalf("editor: %d", code)
	}
	code, body := e.do("POST", "/api/v1/lists", "application/json", `{"slug":"weekly","name":"Weekly readers","public":true}`, admin...)
	if code != 201 || !strings.Contains(body, `"double_optin": true`) {
		t.Fatalf("create: %d %s", code, body)
	}
	for _, tc := range []struct {
		body string
		code int
	}{
		{`{"slug":"weekly","name":"Again"}`, 409},
		{`{"slug":"Bad Slug","name":"x"}`, 400},
		{`{"slug":"x","name":"x","colour":"red"}`, 400},
		{`{"slug":"x","name":"a\r\nBcc: x"}`, 400},
		{`{"slug":"x"`, 400},
	} {
		if code, body := e.do("POST", "/api/v1/lists", "application/json", tc.body, admin...); code != tc.code || !strings.Contains(body, `"error"`) {
			t.Errorf("create %s: %d %s, want %d", tc.body, code, body, tc.code)
		}
	}
	code, body = e.do("GET", "/api/v1/lists", "", "", admin...)
	var ls []map[string]any
	if json.Unmarshal([]byte(body), &ls); code != 200 || len(ls) != 1 || ls[0]["slug"] != "weekly" {
		t.Fatalf("index: %d %s", code, body)
	}
	code, body = e.do("PATCH", "/api/v1/lists/weekly", "application/json", `{"description":"Every Wednesday","double_optin":false}`, admin...)
	if code != 200 || !strings.Contains(body, "Every Wednesday") || !strings.Contains(body, `"double_optin": false`) {
		t.Fatalf("patch: %d %s", code, body)
	}
	if code, _ := e.do("PATCH", "/api/v1/lists/weekly", "application/json", `{"slug":"renamed"}`, admin...); code != 400 {
		t.Fatalf("patch slug: %d", code)
	}
	if code, _ := e.do("PATCH", "/api/v1/lists/nope", "application/json", `{"name":"x"}`, admin...); code != 404 {
		t.Fatalf("patch unknown: %d", code)
	}
	e.subscriber("weekly", "a@example.org", true)
	code, body = e.do("GET", "/api/v1/lists/weekly", "", "", admin...)
	if code != 200 || !strings.Contains(body, `"active": 1`) {
		t.Fatalf("get: %d %s", code, body)
	}
	if code, _ := e.do("DELETE", "/api/v1/lists/weekly", "", "", "X-Test-Role", "editor"); code != 403 {
		t.Fatalf("editor delete: %d", code)
	}
	if code, _ := e.do("DELETE", "/api/v1/lists/weekly", "", "", admin...); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if code, _ := e.do(m, "/api/v1/lists/weekly", "", "", admin...); code != 404 {
			t.Fatalf("%s deleted: %d", m, code)
		}
	}
	if code, _ := e.do("GET", "/api/v1/lists/weekly/subscribers/export", "", "", admin...); code != 404 {
		t.Fatalf("export deleted: %d", code)
	}
}

func TestSubscriberAddAPI(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("weekly", false, true)
	if code, _ := e.do("POST", "/api/v1/lists/weekly/subscribers", "application/json", `{"email":"x@example.org"}`); code != 401 {
		t.Fatalf("anonymous: %d", code)
	}
	// Only admins add confirmed subscribers.
	code, _ := e.do("POST", "/api/v1/lists/weekly/subscribers", "application/json", `{"email":"ed@example.org","confirmed":true}`, "X-Test-Role", "editor")
	if code != 403 || e.status("ed@example.org") != "none" {
		t.Fatalf("editor confirmed: %d", code)
	}
	code, body := e.do("POST", "/api/v1/lists/weekly/subscribers", "application/json", `{"email":"ed@example.org","name":"Ed"}`, "X-Test-Role", "editor")
	if code != 201 || !strings.Contains(body, `"confirmation_sent": true`) || e.status("ed@example.org") != "pending:weekly=pending" {
		t.Fatalf("editor pending: %d %s", code, body)
	}
	if ms := e.mails(); len(ms) != 1 || !strings.Contains(ms[0].Header.Get("To"), "ed@example.org") {
		t.Fatalf("confirmation emails: %d", len(ms))
	}
	code, body = e.do("POST", "/api/v1/lists/weekly/subscribers", "application/json", `{"email":"Ann@EXAMPLE.org","name":"Ann","confirmed":true}`, "X-Test-Role", "admin")
	if code != 201 || !strings.Contains(body, `"email": "Ann@example.org"`) || e.status("Ann@example.org") != "active:weekly=active" {
		t.Fatalf("admin confirmed: %d %s", code, body)
	}
	if strings.Contains(body, "token") {
		t.Fatalf("the API leaks the subscriber token: %s", body)
	}
	code, _ = e.do("POST", "/api/v1/lists/weekly/subscribers", "application/json", `{"email":"Ann@example.org","confirmed":true}`, "X-Test-Role", "admin")
	if code != 200 {
		t.Fatalf("again: %d", code)
	}
	for _, b := range []string{`{"email":"Ann <a@example.org>"}`, `{"email":"a@example.org","name":"x\ny"}`, `{"email":"a@example.org","extra":1}`, `{}`} {
		if code, _ := e.do("POST", "/api/v1/lists/weekly/subscribers", "application/json", b, "X-Test-Role", "admin"); code != 400 {
			t.Errorf("%s: %d, want 400", b, code)
		}
	}
	if code, _ := e.do("POST", "/api/v1/lists/nope/subscribers", "application/json", `{"email":"a@example.org"}`, "X-Test-Role", "admin"); code != 404 {
		t.Fatalf("unknown list: %d", code)
	}
}

func TestSubscriberImportExportAPI(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	admin := []string{"X-Test-Role", "admin"}
	csvBody := "email,name\nann@example.org,Ann\nbad-address,X\nbob@example.org,\"Bo\xffb\"\ncy@example.org,Cy\n"
	if code, _ := e.do("POST", "/api/v1/lists/weekly/subscribers/import", "text/csv", csvBody, "X-Test-Role", "editor"); code != 403 {
		t.Fatalf("editor import: %d", code)
	}
	if code, _ := e.do("POST", "/api/v1/lists/weekly/subscribers/import", "application/json", csvBody, admin...); code != 400 {
		t.Fatalf("wrong content type: %d", code)
	}
	code, body := e.do("POST", "/api/v1/lists/weekly/subscribers/import", "text/csv; charset=utf-8", csvBody, admin...)
	var res struct {
		Imported, Skipped int
		Errors            []struct {
			Line  int
			Error string
		}
	}
	if json.Unmarshal([]byte(body), &res); code != 200 || res.Imported != 2 || res.Skipped != 2 || len(res.Errors) != 2 ||
		res.Errors[0].Line != 3 || res.Errors[1].Line != 4 || !strings.Contains(res.Errors[1].Error, "UTF-8") {
		t.Fatalf("import: %d %s", code, body)
	}
	code, body = e.do("POST", "/api/v1/lists/weekly/subscribers/import", "text/csv", "ann@example.org,Ann\n", admin...)
	if code != 400 || !strings.Contains(body, "header") {
		t.Fatalf("no header: %d %s", code, body)
	}
	if code, _ := e.do("POST", "/api/v1/lists/nope/subscribers/import", "text/csv", "email,name\n", admin...); code != 404 {
		t.Fatalf("unknown list: %d", code)
	}
	code, body = e.do("GET", "/api/v1/lists/weekly/subscribers/export", "", "", admin...)
	if code != 200 || body != "email,name,status\nann@example.org,Ann,active\ncy@example.org,Cy,active\n" {
		t.Fatalf("export: %d\n%s", code, body)
	}
}

func TestSubscriberFindAndErase(t *testing.T) {
	t.Parallel()
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	admin := []string{"X-Test-Role", "admin"}
	res := e.subscriber("weekly", "gone@example.org", true)
	e.subscriber("weekly", "stay@example.org", true)
	code, body := e.do("GET", "/api/v1/subscribers?email=gone@EXAMPLE.org", "", "", admin...)
	if code != 200 || !strings.Contains(body, `"gone@example.org"`) || !strings.Contains(body, `"status": "active"`) || strings.Contains(body, "stay@") {
		t.Fatalf("find: %d %s", code, body)
	}
	code, body = e.do("GET", "/api/v1/subscribers?limit=1", "", "", admin...)
	if code != 200 || strings.Count(body, `"email"`) != 1 {
		t.Fatalf("page: %d %s", code, body)
	}
	for _, q := range []string{"?email=Jane%20%3Cj@example.org%3E", "?limit=0", "?limit=x", "?after=-1"} {
		if code, _ := e.do("GET", "/api/v1/subscribers"+q, "", "", admin...); code != 400 {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}
	if code, _ := e.do("GET", "/api/v1/subscribers?email=gone@example.org", "", "", "X-Test-Role", "contributor"); code != 403 {
		t.Fatalf("contributor: %d", code)
	}
	id := strconv.FormatInt(res.Subscriber.ID, 10)
	if code, _ := e.do("DELETE", "/api/v1/subscribers/"+id, "", ""); code != 401 {
		t.Fatalf("anonymous erase: %d", code)
	}
	if code, _ := e.do("DELETE", "/api/v1/subscribers/"+id, "", "", admin...); code != 204 {
		t.Fatalf("erase: %d", code)
	}
	for _, p := range []string{id, "abc", "0"} {
		if code, _ := e.do("DELETE", "/api/v1/subscribers/"+p, "", "", admin...); code != 404 {
			t.Errorf("erase %s again: %d", p, code)
		}
	}
	if e.status("gone@example.org") != "none" || e.status("stay@example.org") != "active:weekly=active" {
		t.Fatal("erase removed the wrong rows")
	}
	// The erased subscriber's links are dead.
	if code, _ := e.do("GET", "/unsubscribe/"+res.Subscriber.Token, "", ""); code != 404 {
		t.Fatalf("erased token: %d", code)
	}
	var n int
	e.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM subscribers WHERE email LIKE 'gone%'`).Scan(&n)
	if n != 0 {
		t.Fatal("personal data left")
	}
}
