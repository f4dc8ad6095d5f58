package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// Issue 16, defect 6: NUL bytes and invalid UTF-8 answered 500. Each of the
// issue's examples now answers 400 (404 for a path), from the one check
// at the edge, and changes nothing.
func TestEdgeRefusesNULAndInvalidUTF8(t *testing.T) {
	_, ts, db := hardenedServer(t)
	admin := client(t)
	login(t, admin, ts.URL, bulletin.RoleAdmin)
	if err := db.CreateList(context.Background(), &bulletin.List{Slug: "weekly", Name: "Weekly", Description: "as it was"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, ctype, body string
		want                      int
	}{
		{"GET", "/archive/weekly/search?q=a%00b", "", "", 400},
		{"GET", "/archive/weekly/search?q=%ff", "", "", 400},
		{"GET", "/archive/%ff/", "", "", 404},
		{"GET", "/subscribe/%ff", "", "", 404},
		{"POST", "/subscribe/%ff", "application/x-www-form-urlencoded", "email=a%40example.org", 404},
		{"POST", "/login", "application/x-www-form-urlencoded", "email=a%00b&password=x", 400},
		{"POST", "/login", "application/x-www-form-urlencoded", "email=%ff%fe&password=x", 400},
		{"GET", "/api/v1/lists/a%00b", "", "", 404},
		{"GET", "/admin/issues?newsletter=a%00", "", "", 400},
		{"GET", "/api/v1/newsletters/weekly/issues?newsletter=a%00", "", "", 400},
		{"GET", "/preferences/abc%00defghijklmnopqrst", "", "", 404},
		{"PATCH", "/api/v1/lists/weekly", "application/json", `{"description":"a\u0000b"}`, 400},
		{"POST", "/api/v1/lists", "application/json", `{"slug":"x","name":"N\u0000"}`, 400},
		{"POST", "/api/v1/lists", "", `{"slug":"x","name":"N\u0000"}`, 400},
	} {
		req, err := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if tc.ctype != "" {
			req.Header.Set("Content-Type", tc.ctype)
		}
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s %q = %d, want %d: %s", tc.method, tc.path, tc.body, resp.StatusCode, tc.want, b)
		}
	}
	l, err := db.FindListBySlug(context.Background(), "weekly")
	if err != nil || l.Description != "as it was" {
		t.Fatalf("list after refused edits: %+v, %v", l, err)
	}
	if _, err := db.FindListBySlug(context.Background(), "x"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("list x was created from a refused request: %v", err)
	}
}

// FuzzEdge feeds any path, query, content type and body through the edge
// check. A request it passes holds only clean text wherever a handler
// reads it; one it refuses gets 400 or 404; nothing panics or answers 500.
func FuzzEdge(f *testing.F) {
	f.Add("/archive/weekly/search", "q=a%00b", "", "")
	f.Add("/archive/\xff/", "", "", "")
	f.Add("/login", "", "application/x-www-form-urlencoded", "email=a%00b&password=x")
	f.Add("/api/v1/lists/weekly", "", "application/json", `{"description":"a\u0000b"}`)
	f.Add("/api/v1/lists", "", "application/json; charset=utf-8", `{"a":["\ud800",{"b\u0000":1}]}`)
	f.Add("/subscribe/weekly", "newsletter=a%00&x=%zz;y", "application/x-www-form-urlencoded", "name=%C3%A9&email=%ff")
	s := &Server{}
	f.Fuzz(func(t *testing.T, path, query, ctype, body string) {
		passed := false
		next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			passed = true
			if textProblem(r.URL.Path) != "" {
				t.Fatalf("path %q passed", r.URL.Path)
			}
			for k, vs := range r.URL.Query() {
				if !clean(k, vs) {
					t.Fatalf("query %q=%q passed", k, vs)
				}
			}
			b, err := io.ReadAll(r.Body)
			if err != nil || string(b) != body {
				t.Fatalf("handler read %q, %v; want the body as sent", b, err)
			}
			switch bodyKind(r) {
			case "form":
				v, _ := url.ParseQuery(string(b))
				for k, vs := range v {
					if !clean(k, vs) {
						t.Fatalf("form %q=%q passed", k, vs)
					}
				}
			case "json":
				var v any
				if json.Unmarshal(b, &v) == nil && hasNUL(v) {
					t.Fatalf("JSON %q passed with a NUL", b)
				}
			}
		})
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.URL = &url.URL{Path: path, RawQuery: query}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		s.validInput(next).ServeHTTP(rec, req)
		switch {
		case passed && rec.Code != 200:
			t.Fatalf("passed, then %d", rec.Code)
		case !passed && rec.Code != 400 && rec.Code != 404:
			t.Fatalf("refused with %d, want 400 or 404", rec.Code)
		}
	})
}

func clean(k string, vs []string) bool {
	for _, v := range append(vs, k) {
		if textProblem(v) != "" {
			return false
		}
	}
	return true
}

func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case []any:
		for _, e := range v {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}
