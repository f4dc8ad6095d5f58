package web

import (
	"context"
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

// TestArchiveSearchResultsPage: what a reader sees for words, a phrase and
// several words: hits linking to the item's anchor in its issue, the
// closing item's "Lastly,", snippets cut at words with "…" around the
// first match, and a newly sent issue found at once.
func TestArchiveSearchResultsPage(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	nl := seedArchive(f, "http://127.0.0.1:9")
	ts := serve(t, &Server{Health: f.db, Archive: f.db})
	search := func(q string) string {
		t.Helper()
		r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/search?"+url.Values{"q": {q}}.Encode())
		if r.status != 200 {
			t.Fatalf("search %q = %d", q, r.status)
		}
		return r.body
	}
	archiveContains(t, "before", search("orchard"), "Nothing in the archive matches “orchard”.")

	long := "Spring is late this year. " + strings.Repeat("The wardens walked every path of the common and counted the trees by the pond. ", 4) +
		"Then the orchard by the old mill was replanted with forty young apple trees. " +
		strings.Repeat("Volunteers brought tea and cake for everyone who came to help. ", 4)
	f.issue(nl, 9, bulletin.IssueSent, archiveAt("2026-12-02T09:00:00Z"), "<p>9</p>",
		archiveItem{"Common walk", long, "By the wardens"},
		archiveItem{"Mill news", "The mill wheel turns again.", ""},
		archiveItem{"Thank you", "Thanks to everyone in the orchard team.", ""})
	f.exec(`UPDATE items SET closing = true WHERE title = 'Thank you'`)

	body := search("orchard")
	archiveContains(t, "orchard", body, `<p id="summary">2 results for “orchard”</p>`,
		`<a href="/archive/weekly/9#item-1">Common walk</a>`,
		`<a href="/archive/weekly/9#item-3">Lastly, Thank you</a>`,
		// Cut to the sentences around the first match, "…" where text was left out.
		`<p class="snippet">… Then the <mark>orchard</mark> by the old mill was replanted with forty young apple trees.`,
		`Thanks to everyone in the <mark>orchard</mark> team.`,
		`In <a href="/archive/weekly/9">Weekly update 9</a> · Issue 9`)
	if strings.Count(body, "<li>\n<h2>") != 2 {
		t.Errorf("orchard: want 2 hits in\n%s", body)
	}
	archiveContains(t, "stem", search("replanting"), "1 result for “replanting”", "was <mark>replanted</mark> with")
	archiveContains(t, "phrase", search(`"old mill"`), "1 result for “&#34;old mill&#34;”",
		`<a href="/archive/weekly/9#item-1">Common walk</a>`, `the <mark>old</mark> <mark>mill</mark> was`)
	archiveContains(t, "phrase out of order", search(`"mill old"`), "Nothing in the archive matches")
	words := search("mill wheel")
	archiveContains(t, "two words", words, "1 result for “mill wheel”", `<a href="/archive/weekly/9#item-2"><mark>Mill</mark> news</a>`,
		`The <mark>mill</mark> <mark>wheel</mark> turns again.`)
	archiveContains(t, "or", search("wheel or orchard"), "3 results for “wheel or orchard”")
	archiveContains(t, "not", search("orchard -apple"), "1 result for “orchard -apple”", "Lastly, Thank you")
}

// TestArchiveSearchBadInput: a NUL byte, other control characters, an
// overlong query or invalid UTF-8 get a clear 400 and change nothing: the
// archive's version and items stay as they were and search still works.
func TestArchiveSearchBadInput(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	seedArchive(f, "http://127.0.0.1:9")
	ts := serve(t, &Server{Health: f.db, Archive: f.db})
	state := func() string {
		var s string
		err := f.db.Pool.QueryRow(context.Background(), `SELECT (SELECT version FROM archive_version)::text || '/' ||
			(SELECT count(*) FROM items)::text || '/' || (SELECT md5(string_agg(title || body, '' ORDER BY id)) FROM items)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := state()
	for _, c := range []struct{ rawQuery, want string }{
		{"q=budget%00", "NUL"},
		{"q=%00", "NUL"},
		{"q=budget%01council", "control character"},
		{"q=budget%7F", "control character"},
		{"q=" + strings.Repeat("x", 301), "longer than 300 characters"},
		{"q=%ff%fe", "UTF-8"},
	} {
		r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/search?"+c.rawQuery)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, c.want) {
			t.Errorf("%.40s = %d %.200q, want 400 saying %q", c.rawQuery, r.status, r.body, c.want)
		}
		archiveLacks(t, "bad search", r.body, "<mark>", "result for")
	}
	if after := state(); after != before {
		t.Errorf("bad searches changed the archive: %s → %s", before, after)
	}
	ok := archiveFetch(t, "GET", ts.URL+"/archive/weekly/search?q=budget%09consultation")
	archiveContains(t, "tab", ok.body, "1 result for")
}
