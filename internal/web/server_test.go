package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"bulletin/internal/pgtest"
	"bulletin/templates"
)

func TestStaticCSS(t *testing.T) {
	t.Parallel()
	ts := serve(t, wired(pgtest.New(t)))
	resp, err := http.Get(ts.URL + "/static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("style.css: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// A cross-site form POST is refused before any handler runs (CSRF).
func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	ts := serve(t, wired(pgtest.New(t)))
	req, _ := http.NewRequest("POST", ts.URL+"/healthz", strings.NewReader(url.Values{"a": {"b"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST = %d, want 403", resp.StatusCode)
	}
}

// A web template that does not parse stops start-up with its file and line.
func TestBrokenTemplateFailsAtStart(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"web/layout.html":      {Data: []byte(`{{block "content" .}}{{end}}`)},
		"web/archive/x.html":   {Data: []byte("ok\n{{define \"content\"}}{{.Title}\n{{end}}")},
		"web/static/style.css": {Data: []byte("")},
	}
	_, err := (&Server{Templates: fsys}).Handler()
	if err == nil || !strings.Contains(err.Error(), "web/archive/x.html:2") {
		t.Fatalf("err = %v, want it to name web/archive/x.html:2", err)
	}
	if _, err := (&Server{Templates: templates.Builtin()}).Handler(); err != nil {
		t.Fatalf("built-in templates: %v", err)
	}
}
