package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
)

func TestArchiveSearch(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	nl := seedArchive(f, "http://127.0.0.1:9")
	ts := serve(t, &Server{Health: f.db, Archive: f.db})
	search := func(q string, extra ...string) archiveResponse {
		t.Helper()
		v := url.Values{"q": {q}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return archiveFetch(t, "GET", ts.URL+"/archive/weekly/search?"+v.Encode())
	}

	r := search("budget")
	if r.status != 200 {
		t.Fatalf("search = %d", r.status)
	}
	archiveContains(t, "search", r.body, `<p id="summary">2 results for “budget”</p>`,
		// The title match is highlighted, the payload is text.
		`<a href="/archive/weekly/2#item-`, `">&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; <mark>Budget</mark> &lt;b&gt;vote&lt;/b&gt;</a>`,
		`Payload &lt;img src=x onerror=alert(1)&gt; <mark>budget</mark>`,
		`<mark>budget</mark>`, `href="/archive/weekly/1"`, `value="budget"`)
	archiveLacks(t, "search", r.body, append(archiveUnsent, "<img src=x", "<script>", "<b>vote")...)
	archiveCheckPage(t, "search", r)

	// Search syntax, no match, and the empty form.
	archiveContains(t, "phrase", search(`"community budget"`).body, "1 result for “&#34;community budget&#34;”")
	archiveContains(t, "no match", search("xylophone").body, "Nothing in the archive matches “xylophone”.")
	archiveContains(t, "stop word", search("the").body, "Nothing in the archive matches")
	empty := search("")
	archiveContains(t, "empty", empty.body, `<h1>Search Weekly update</h1>`, `<label for="q">Words to find</label>`)
	archiveLacks(t, "empty", empty.body, `id="summary"`)
	archiveContains(t, "sql", search(`'; DROP TABLE items; --`).body, "Nothing in the archive matches")

	// Bad input: a clear 400, nothing searched.
	for _, c := range []struct{ q, page, want string }{
		{"budget", "0", "Page must be a number from 1 to 100"},
		{"budget", "x", "Page must be a number from 1 to 100"},
		{"budget", "101", "Page must be a number from 1 to 100"},
		{strings.Repeat("budget ", 50), "", "longer than 300 characters"},
	} {
		got := search(c.q, "page", c.page)
		if got.status != http.StatusBadRequest {
			t.Errorf("q=%.20q page=%q = %d, want 400", c.q, c.page, got.status)
		}
		archiveContains(t, "bad search", got.body, c.want)
		archiveLacks(t, "bad search", got.body, "<mark>")
	}
	bad := archiveFetch(t, "GET", ts.URL+"/archive/weekly/search?q=%ff%fe")
	if bad.status != 400 || !strings.Contains(bad.body, "not valid UTF-8") {
		t.Errorf("invalid UTF-8 = %d", bad.status)
	}

	// Pagination: 23 more items about budgets in a new issue.
	var items []archiveItem
	for i := 1; i <= 23; i++ {
		items = append(items, archiveItem{fmt.Sprintf("Ward %d budget", i), "Spending in the ward.", ""})
	}
	f.issue(nl, 8, bulletin.IssueSent, time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), "<p>8</p>", items...)
	p1 := search("budget")
	archiveContains(t, "page 1", p1.body, "25 results for “budget”", `rel="next" href="/archive/weekly/search?page=2&amp;q=budget"`)
	archiveLacks(t, "page 1", p1.body, `rel="prev"`)
	if n := strings.Count(p1.body, "<li>\n<h2>"); n != 10 {
		t.Errorf("page 1 has %d hits, want 10", n)
	}
	p3 := search("budget", "page", "3")
	archiveContains(t, "page 3", p3.body, "25 results for “budget”, page 3", `<ol class="hits" start="21">`,
		`rel="prev" href="/archive/weekly/search?page=2&amp;q=budget"`)
	archiveLacks(t, "page 3", p3.body, `rel="next"`)
	if n := strings.Count(p3.body, "<li>\n<h2>"); n != 5 {
		t.Errorf("page 3 has %d hits, want 5", n)
	}
	// Every hit appears on exactly one page.
	seen := map[string]int{}
	for _, p := range []archiveResponse{p1, search("budget", "page", "2"), p3} {
		for _, part := range strings.Split(p.body, "<li>\n<h2>")[1:] {
			seen[part[:strings.Index(part, "</h2>")]]++
		}
	}
	if len(seen) != 25 {
		t.Errorf("three pages hold %d distinct hits, want 25", len(seen))
	}
	past := search("budget", "page", "4")
	archiveContains(t, "past the end", past.body, "There are no more results for “budget”.", `href="/archive/weekly/search?q=budget">Back to the first page`)
}

func TestMarkedSnippets(t *testing.T) {
	S, E := bulletin.SnippetStart, bulletin.SnippetStop
	for in, want := range map[string]string{
		"plain & simple":                         "plain &amp; simple",
		S + "budget" + E + " <b>x</b>":           "<mark>budget</mark> &lt;b&gt;x&lt;/b&gt;",
		S + "open":                               "<mark>open</mark>",
		E + "stray" + S + S + "twice" + E + E:    "stray<mark>twice</mark>",
		`"><script>` + S + "a" + E + `</script>`: "&#34;&gt;&lt;script&gt;<mark>a</mark>&lt;/script&gt;",
	} {
		if got := string(archiveMarked(in)); got != want {
			t.Errorf("marked(%q) = %q, want %q", in, got, want)
		}
	}
}
