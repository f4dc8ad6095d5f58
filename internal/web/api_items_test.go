package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

func TestAPIBearerAuth(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	for _, h := range []string{"", "Bearer", "Bearer nonsense", "Basic YWRtaW46YWRtaW4=", "Bearer " + strings.Repeat("x", 300), "Bearer " + e.tokens["editor"] + "x"} {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/items", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q = %d (WWW-Authenticate %q), want 401", h, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	// A lower-case scheme is fine (RFC 9110: schemes are case-insensitive).
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/items", nil)
	req.Header.Set("Authorization", "bearer "+e.tokens["editor"])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("lower-case bearer: %v %v", resp.StatusCode, err)
	}
	// A revoked token stops working at once.
	ts, _ := e.db.FindTokens(context.Background(), e.users["editor"].ID)
	if err := e.db.RevokeToken(context.Background(), 0, ts[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	e.must(t, 401, "editor", "GET", "/api/v1/items", nil, nil)
}

// Bad input gets a clear 4xx and stores nothing.
func TestAPIItemBadInput(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	for _, tc := range []struct {
		body any
		code int
		msg  string
	}{
		{`{"title":"a\r\nBcc: x@example.org"}`, 400, "title: must not contain a line break"},
		{`{"title":"ok","source":"Jane\nDoe"}`, 400, "source: must not contain a line break"},
		{`{"title":"<b>bold</b>"}`, 400, "title: must be plain text"},
		{`{"title":"` + strings.Repeat("x", 201) + `"}`, 400, "title: 201 characters"},
		{`{"title":""}`, 400, "title: required"},
		{`{"title":"ok","url":"javascript:alert(1)"}`, 400, "url: must start with http"},
		{`{"title":"ok","url":"ftp://example.org/x"}`, 400, "url: must start with http"},
		{`{"title":"ok","section":"ghost"}`, 400, `section: unknown section "ghost"`},
		{`{"title":"ok","newsletter":"ghost"}`, 400, `newsletter: unknown newsletter "ghost"`},
		{`{"title":"ok","kind":"poem"}`, 400, "kind: must be"},
		{`{"title":"ok","kind":"link"}`, 400, "url: required for a link"},
		{`{"title":"ok","status":"rejected"}`, 400, "status:"},
		{`{"title":"ok","colour":"red"}`, 400, `unknown field "colour"`},
		{`{"title":"ok"} {"title":"again"}`, 400, "more than one value"},
		{`{"title":`, 400, "invalid JSON"},
		{`{"title":"ok","body":"\u0000"}`, 400, "body: must not contain NUL"},
		{[]byte("{\"title\":\"ok\",\"body\":\"\xff\xfe\"}"), 400, "not valid UTF-8"},
		{`{"title":"ok","body":"` + strings.Repeat("a", bulletin.MaxBodyBytes+1) + `"}`, 413, "body: 65537 bytes"},
		{`{"title":"ok","body":"` + strings.Repeat("a", bulletin.MaxRequestLen) + `"}`, 413, "request body is larger"},
	} {
		code, out := e.call(t, "contributor", "POST", "/api/v1/items", tc.body)
		if code != tc.code || !strings.Contains(errorOf(t, out), tc.msg) {
			t.Errorf("%.80v: %d %s, want %d containing %q", tc.body, code, out, tc.code, tc.msg)
		}
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/items", strings.NewReader("title=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+e.tokens["contributor"])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 400 {
		t.Errorf("form body: %v %v", resp.StatusCode, err)
	}
	var its []bulletin.Item
	e.must(t, 200, "admin", "GET", "/api/v1/items", nil, &its)
	if len(its) != 0 {
		t.Fatalf("bad input stored %d items", len(its))
	}

	// Bad patches change nothing either.
	it := e.item(t, "contributor", "")
	path := fmt.Sprintf("/api/v1/items/%d", it.ID)
	for _, body := range []string{`{"title":"x\ny"}`, `{"url":"javascript:x"}`, `{"section":"ghost"}`, `{"status":"approved"}`, `{"title":null,"x":1}`} {
		if code, out := e.call(t, "contributor", "PATCH", path, body); code != 400 {
			t.Errorf("PATCH %s = %d %s, want 400", body, code, out)
		}
	}
	if code, _ := e.call(t, "editor", "POST", path+"/approve", `{"note":"<script>x</script>"}`); code != 400 {
		t.Errorf("approve with a markup note = %d, want 400", code)
	}
	got, _ := e.db.FindItemByID(context.Background(), it.ID)
	if got.Title != it.Title || got.Status != "submitted" || got.ReviewNote != "" {
		t.Fatalf("refused requests changed the item: %+v", got)
	}
}

// A contributor's script, javascript: link, event handler or style never
// reaches body_html.
func TestAPIItemBodySanitised(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	body := "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> <style>*{}</style> <a href=\"javascript:y\" onclick=\"z\">a</a> **ok** https://example.org/auto"
	var it bulletin.Item
	e.must(t, 201, "contributor", "POST", "/api/v1/items", fmt.Sprintf(`{"title":"Safe","body":%q}`, body), &it)
	for _, bad := range []string{"<script", "javascript:", "onerror", "onclick", "<style"} {
		if strings.Contains(strings.ToLower(it.BodyHTML), bad) {
			t.Errorf("body_html %q contains %q", it.BodyHTML, bad)
		}
	}
	if !strings.Contains(it.BodyHTML, "<strong>ok</strong>") || !strings.Contains(it.BodyHTML, `<a href="https://example.org/auto" rel="nofollow">`) {
		t.Errorf("body_html %q lost the good parts", it.BodyHTML)
	}
	if it.Body != body || it.Contributor != "contributor@example.org" || it.Newsletter != "weekly" || it.Status != "submitted" {
		t.Errorf("item %+v", it)
	}
}

func TestAPIItemList(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.must(t, 201, "admin", "POST", "/api/v1/newsletters", `{"slug":"monthly","name":"Monthly"}`, nil)
	e.must(t, 201, "contributor", "POST", "/api/v1/items", `{"title":"Mine"}`, nil)
	e.must(t, 201, "other", "POST", "/api/v1/items", `{"title":"Theirs","newsletter":"monthly"}`, nil)
	e.must(t, 201, "editor", "POST", "/api/v1/items", `{"title":"Approved","status":"approved"}`, nil)
	list := func(who, query string) string {
		var its []bulletin.Item
		e.must(t, 200, who, "GET", "/api/v1/items"+query, nil, &its)
		var ts []string
		for _, it := range its {
			ts = append(ts, it.Title)
		}
		return strings.Join(ts, ",")
	}
	for _, tc := range []struct{ who, query, want string }{
		{"contributor", "", "Mine"},
		{"contributor", fmt.Sprintf("?contributor=%d", e.users["other"].ID), "Mine"},
		{"other", "", "Theirs"},
		{"editor", "", "Mine,Approved,Theirs"},
		{"editor", "?status=approved", "Approved"},
		{"editor", "?status=submitted&newsletter=weekly", "Mine"},
		{"editor", "?newsletter=monthly", "Theirs"},
		{"admin", fmt.Sprintf("?contributor=%d", e.users["other"].ID), "Theirs"},
		{"admin", "?limit=1&offset=1", "Approved"},
		{"admin", "?status=rejected", ""},
	} {
		if got := list(tc.who, tc.query); got != tc.want {
			t.Errorf("GET /api/v1/items%s as %s = %q, want %q", tc.query, tc.who, got, tc.want)
		}
	}
	for _, q := range []string{"?status=maybe", "?newsletter=ghost", "?limit=-1", "?limit=100000", "?offset=x", "?contributor=me"} {
		if code, out := e.call(t, "editor", "GET", "/api/v1/items"+q, nil); code != 400 {
			t.Errorf("GET /api/v1/items%s = %d %s, want 400", q, code, out)
		}
	}
}

// The review cycle through the API, and editors reordering.
func TestAPIReviewAndReorder(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.must(t, 201, "admin", "POST", "/api/v1/newsletters/weekly/sections", `{"slug":"events","name":"Events"}`, nil)
	var a, b, c bulletin.Item
	e.must(t, 201, "contributor", "POST", "/api/v1/items", `{"title":"A","section":"events"}`, &a)
	e.must(t, 201, "contributor", "POST", "/api/v1/items", `{"title":"B","section":"events"}`, &b)
	e.must(t, 201, "contributor", "POST", "/api/v1/items", `{"title":"C","section":"events","kind":"link","url":"https://example.org"}`, &c)
	if a.Position != 1 || b.Position != 2 || c.Position != 3 || a.Section != "events" {
		t.Fatalf("positions %d %d %d", a.Position, b.Position, c.Position)
	}
	var moved bulletin.Item
	e.must(t, 200, "editor", "PATCH", fmt.Sprintf("/api/v1/items/%d", c.ID), `{"position":1}`, &moved)
	var its []bulletin.Item
	e.must(t, 200, "editor", "GET", "/api/v1/items?section=events", nil, &its)
	if len(its) != 3 || its[0].Title != "C" || its[1].Title != "A" || its[2].Title != "B" || its[2].Position != 3 {
		t.Fatalf("after moving C first: %+v", its)
	}
	// Moving out of the section closes its gap.
	e.must(t, 200, "editor", "PATCH", fmt.Sprintf("/api/v1/items/%d", a.ID), `{"section":""}`, &moved)
	e.must(t, 200, "editor", "GET", "/api/v1/items?section=events", nil, &its)
	if len(its) != 2 || its[0].Position != 1 || its[1].Position != 2 || moved.Section != "" {
		t.Fatalf("after moving A out: %+v", its)
	}

	var rev bulletin.Item
	e.must(t, 200, "editor", "POST", fmt.Sprintf("/api/v1/items/%d/approve", b.ID), `{"note":"Thanks!"}`, &rev)
	if rev.Status != "approved" || rev.ReviewNote != "Thanks!" || rev.ApprovedAt == nil {
		t.Fatalf("approved %+v", rev)
	}
	code, out := e.call(t, "contributor", "PATCH", fmt.Sprintf("/api/v1/items/%d", b.ID), `{"title":"Changed after approval"}`)
	if code != 422 || !strings.Contains(errorOf(t, out), "approved") {
		t.Fatalf("contributor edits approved item: %d %s", code, out)
	}
	rev = bulletin.Item{}
	e.must(t, 200, "admin", "POST", fmt.Sprintf("/api/v1/items/%d/reject", b.ID), nil, &rev)
	if rev.Status != "rejected" || rev.ApprovedAt != nil {
		t.Fatalf("rejected %+v", rev)
	}
	e.must(t, 422, "editor", "POST", fmt.Sprintf("/api/v1/items/%d/reject", b.ID), nil, nil)
	var mine bulletin.Item
	e.must(t, 200, "contributor", "GET", fmt.Sprintf("/api/v1/items/%d", b.ID), nil, &mine)
	if mine.Status != "rejected" {
		t.Fatalf("the contributor sees %q", mine.Status)
	}
}
