package web

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

type archiveResponse struct {
	status int
	header http.Header
	body   string
}

func archiveFetch(t *testing.T, method, url string, header ...string) archiveResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return archiveResponse{resp.StatusCode, resp.Header, string(b)}
}

func archiveContains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}

func archiveLacks(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s contains %q", what, b)
		}
	}
}

// archiveUnsent is what no public page may ever show.
var archiveUnsent = []string{"secret", "Weekly update 3", "Weekly update 4", "Weekly update 6", "Weekly update 7", "Foreign"}

func TestArchivePages(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	seedArchive(f, "http://127.0.0.1:9")
	ts := serve(t, &Server{Health: f.db, Archive: f.db})

	for path, to := range map[string]string{
		"/": "/archive/weekly/", "/archive/": "/archive/weekly/", "/archive/weekly": "/archive/weekly/",
		"/archive/weekly/2026/11": "/archive/weekly/2026/11/",
	} {
		r := archiveFetch(t, "GET", ts.URL+path)
		if r.status/100 != 3 || r.header.Get("Location") != to {
			t.Errorf("GET %s = %d to %q, want a redirect to %s", path, r.status, r.header.Get("Location"), to)
		}
	}

	index := archiveFetch(t, "GET", ts.URL+"/archive/weekly/")
	if index.status != 200 {
		t.Fatalf("index = %d", index.status)
	}
	archiveContains(t, "index", index.body, `<html lang="en">`, "<h1>Weekly update archive</h1>",
		`href="/archive/weekly/5">Weekly update 5</a>`, "18 November 2026", `href="/archive/weekly/2026/11/">November 2026</a>`,
		"2 issues", `href="/archive/weekly/2026/10/">October 2026</a>`, "1 issue<", `href="/subscribe/weekly-readers"`,
		`type="application/atom+xml"`)
	archiveLacks(t, "index", index.body, archiveUnsent...)
	// Latest first.
	if strings.Index(index.body, "Weekly update 5") > strings.Index(index.body, "Weekly update 2") {
		t.Error("index: latest issues are not newest first")
	}
	archiveCheckPage(t, "index", index)

	month := archiveFetch(t, "GET", ts.URL+"/archive/weekly/2026/11/")
	if month.status != 200 {
		t.Fatalf("month = %d", month.status)
	}
	archiveContains(t, "month", month.body, "<title>Weekly update: November 2026</title>", "<h1>Weekly update: November 2026</h1>",
		"The updates sent in November 2026.", `<a href="/archive/weekly/2">Weekly update 2</a>`, "Issue 2 · ", "4 November 2026",
		"<li>Park reopens</li>", "<li>&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; Budget &lt;b&gt;vote&lt;/b&gt;</li>",
		`<a href="/archive/weekly/5">Weekly update 5</a>`, "Zebra crossing on Elm Street")
	archiveLacks(t, "month", month.body, append(archiveUnsent, "Library opening hours", "<script>")...)
	if strings.Index(month.body, "Park reopens") > strings.Index(month.body, "Budget &lt;b&gt;") {
		t.Error("month: highlights are not in issue order")
	}
	archiveCheckPage(t, "month", month)

	issue := archiveFetch(t, "GET", ts.URL+"/archive/weekly/2")
	if issue.status != 200 {
		t.Fatalf("issue = %d", issue.status)
	}
	archiveContains(t, "issue", issue.body, "<h1>Weekly update 2</h1>", `rel="prev" href="/archive/weekly/1"`,
		`rel="next" href="/archive/weekly/5"`, `href="/archive/weekly/">All issues</a>`, `href="/subscribe/weekly-readers"`,
		`<iframe class="email" src="/archive/weekly/2/email"`, `sandbox="allow-same-origin allow-top-navigation-by-user-activation"`)
	archiveLacks(t, "issue", issue.body, "allow-scripts", "__BULLETIN_")
	archiveCheckPage(t, "issue", issue)
	// The next issue skips the unsent 3 and 4.
	five := archiveFetch(t, "GET", ts.URL+"/archive/weekly/5")
	archiveContains(t, "issue 5", five.body, `rel="prev" href="/archive/weekly/2"`)
	archiveLacks(t, "issue 5", five.body, `rel="next"`)
}

// archiveCheckPage asserts what every public page must have: the CSP, one
// h1, headings that do not skip a level, and no inline script.
func archiveCheckPage(t *testing.T, what string, r archiveResponse) {
	t.Helper()
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("%s: CSP = %q", what, csp)
	}
	if n := strings.Count(r.body, "<h1"); n != 1 {
		t.Errorf("%s: %d h1 elements, want 1", what, n)
	}
	level := 0
	for _, m := range regexp.MustCompile(`<h([1-6])`).FindAllStringSubmatch(r.body, -1) {
		l := int(m[1][0] - '0')
		if l > level+1 {
			t.Errorf("%s: h%d follows h%d", what, l, level)
		}
		level = l
	}
	// Scripts only from our own static files: nothing inline.
	for rest := r.body; ; {
		i := strings.Index(rest, "<script")
		if i < 0 {
			break
		}
		tag, _, _ := strings.Cut(rest[i:], ">")
		if !strings.Contains(tag, ` src="/static/`) || !strings.Contains(rest[i:], "<script"+tag[len("<script"):]+"></script>") {
			t.Errorf("%s: has an inline script element: %s", what, tag)
		}
		rest = rest[i+len("<script"):]
	}
}

func TestArchiveEmailIsNeutralAndInert(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	seedArchive(f, "http://127.0.0.1:9")
	ts := serve(t, &Server{Health: f.db, Archive: f.db, BaseURL: "https://news.example"})

	r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/2/email")
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("email = %d %s", r.status, r.header.Get("Content-Type"))
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"sandbox allow-same-origin allow-top-navigation-by-user-activation;", "default-src 'none'", "frame-ancestors 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("email CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"allow-scripts", "script-src", "allow-popups", "allow-forms"} {
		if strings.Contains(csp, bad) {
			t.Errorf("email CSP %q has %q", csp, bad)
		}
	}
	archiveContains(t, "email", r.body, `<p id="greeting">Hi there,</p>`,
		`<a id="unsub" href="https://news.example/subscribe/weekly-readers" target="_top">`,
		`<a id="prefs" href="https://news.example/subscribe/weekly-readers" target="_top">`,
		`<a id="item-link" href="#item-1">`, `<a id="ext" href="https://example.org/news" target="_top">`,
		`<a id="js">`, `<a id="js2">`, `<style>.t { color: #222; }</style>`)
	archiveLacks(t, "email", r.body, "__BULLETIN_", "javascript:", `target="_blank"`)
	if r.header.Get("X-Robots-Tag") != "noindex" {
		t.Errorf("email X-Robots-Tag = %q", r.header.Get("X-Robots-Tag"))
	}
	// Everything but the links is served exactly as stored.
	stored := archiveEmailHTML(2, "http://127.0.0.1:9")
	for _, part := range []string{`<h1 class="t" id="top">Weekly update 2</h1>`, `<a name="item-1" id="item-1"></a><h3>1. The first item</h3>`} {
		archiveContains(t, "email", stored, part)
		archiveContains(t, "email", r.body, part)
	}

	// Without a public list, the neutral links lead to the archive.
	f.exec(`UPDATE lists SET public = false`)
	r = archiveFetch(t, "GET", ts.URL+"/archive/weekly/2/email")
	archiveContains(t, "email", r.body, `<a id="unsub" href="https://news.example/archive/weekly/" target="_top">`)
}

func TestArchiveNotFound(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	seedArchive(f, "http://127.0.0.1:9")
	ts := serve(t, &Server{Health: f.db, Archive: f.db})

	for path, want := range map[string]string{
		"/archive/nope/":              "There is no newsletter called “nope” here.",
		"/archive/nope/1":             "There is no newsletter called “nope” here.",
		"/archive/nope/feed.atom":     "There is no newsletter called “nope” here.",
		"/archive/weekly/99":          "Issue 99 of Weekly update is not in the archive.",
		"/archive/weekly/0":           "“0” is not an issue number",
		"/archive/weekly/007":         "“007” is not an issue number",
		"/archive/weekly/latest":      "“latest” is not an issue number",
		"/archive/weekly/3/email":     "Issue 3 of Weekly update is not in the archive.",
		"/archive/weekly/2026/13/":    "“2026/13” is not a month.",
		"/archive/weekly/26/11/":      "“26/11” is not a month.",
		"/archive/weekly/2026/09/":    "No Weekly update was sent in September 2026.",
		"/archive/weekly/2026/11/xyz": "There is no page “2026/11/xyz” in the Weekly update archive.",
		"/archive/weekly/2/email/":    "“2/email” is not a month.",
		"/archive/nope/2/email/":      "There is no newsletter called “nope” here.",
	} {
		r := archiveFetch(t, "GET", ts.URL+path)
		if r.status != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", path, r.status)
		}
		archiveContains(t, path, r.body, want)
		archiveLacks(t, path, r.body, archiveUnsent...)
	}
	// A draft, cancelled, scheduled or sending issue answers exactly like a
	// missing one, so its number gives nothing away.
	missing := archiveFetch(t, "GET", ts.URL+"/archive/weekly/99")
	archiveContains(t, "404", missing.body, `<a href="/archive/weekly/5">Weekly update 5</a>`, `href="/archive/weekly/search"`)
	for _, n := range []string{"3", "4", "6", "7"} {
		r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/"+n)
		if r.status != 404 || r.body != strings.ReplaceAll(missing.body, "99", n) {
			t.Errorf("unsent issue %s answers differently from a missing one:\n%s", n, r.body)
		}
	}
}

func TestArchiveRootWithoutNewsletter(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	ts := serve(t, &Server{Health: f.db, Archive: f.db})
	r := archiveFetch(t, "GET", ts.URL+"/")
	if r.status != 404 {
		t.Fatalf("GET / with no newsletter = %d, want 404", r.status)
	}
	archiveContains(t, "root", r.body, "No newsletter has been set up on this site yet.")
	empty := f.newsletter("weekly", "Weekly update", true)
	_ = empty
	r = archiveFetch(t, "GET", ts.URL+"/archive/weekly/")
	archiveContains(t, "empty archive", r.body, "No issues have been sent yet.")
	archiveLacks(t, "empty archive", r.body, "By month")
}

// Months and dates follow the time zone of the newsletter's schedule.
func TestArchiveTimeZone(t *testing.T) {
	t.Parallel()
	for schedule, want := range map[string]string{
		"CRON_TZ=America/New_York 0 17 * * 2": "America/New_York",
		"TZ=Europe/Paris 0 9 * * 3":           "Europe/Paris",
		"0 17 * * 2":                          "UTC",
		"CRON_TZ=Nowhere/Land 0 17 * * 2":     "UTC",
		"":                                    "UTC",
	} {
		if got := archiveLocation(&bulletin.ArchiveNewsletter{Schedule: schedule}).String(); got != want {
			t.Errorf("schedule %q: zone %s, want %s", schedule, got, want)
		}
	}
	f := newArchiveFixture(t)
	nl := f.newsletter("weekly", "Weekly update", true)
	f.exec(`UPDATE newsletters SET schedule = 'CRON_TZ=America/New_York 0 22 * * 1'`)
	// 03:00 UTC on 1 December is 22:00 on 30 November in New York.
	f.issue(nl, 1, bulletin.IssueSent, archiveAt("2026-12-01T03:00:00Z"), "<p>1</p>", archiveItem{"Late news", "", ""})
	ts := serve(t, &Server{Health: f.db, Archive: f.db})
	nov := archiveFetch(t, "GET", ts.URL+"/archive/weekly/2026/11/")
	if nov.status != 200 {
		t.Fatalf("November = %d", nov.status)
	}
	archiveContains(t, "November", nov.body, "30 November 2026", "<li>Late news</li>")
	if dec := archiveFetch(t, "GET", ts.URL+"/archive/weekly/2026/12/"); dec.status != 404 {
		t.Errorf("December = %d, want 404", dec.status)
	}
	archiveContains(t, "index", archiveFetch(t, "GET", ts.URL+"/archive/weekly/").body, `href="/archive/weekly/2026/11/">November 2026</a>`)
}
