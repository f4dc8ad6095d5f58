package web

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/templates"
)

// archiveHitsTemplate is the list of hits as the search template wrote it
// before archiveHitsHTML: the output must stay byte for byte the same.
var archiveHitsTemplate = template.Must(template.New("hits").Parse(`<ol class="hits" start="{{.First}}">
{{- range .Hits}}
<li>
<h2><a href="{{.URL}}">{{.Title}}</a></h2>
<p class="snippet">{{.Snippet}}</p>
<p class="meta">In <a href="{{.Issue.URL}}">{{.Issue.Subject}}</a> · Issue {{.Issue.Number}} · <time datetime="{{.Issue.ISODate}}">{{.Issue.Date}}</time></p>
</li>
{{- end}}
</ol>`))

type archiveHitView struct {
	Title   template.HTML
	Snippet template.HTML
	Issue   archiveIssueView
	URL     string
}

// archiveMarkedBefore is archiveMarked as it was: html.EscapeString, then
// the markers as <mark>s.
func archiveMarkedBefore(s string) template.HTML {
	var b strings.Builder
	open := false
	for {
		i := strings.IndexAny(s, bulletin.SnippetStart+bulletin.SnippetStop)
		if i < 0 {
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		switch {
		case s[i:i+3] == bulletin.SnippetStart && !open:
			b.WriteString("<mark>")
			open = true
		case s[i:i+3] == bulletin.SnippetStop && open:
			b.WriteString("</mark>")
			open = false
		}
		s = s[i+3:]
	}
	b.WriteString(html.EscapeString(s))
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

func archiveHitsBefore(t *testing.T, first int, hits []archiveHit) string {
	t.Helper()
	var views []archiveHitView
	for _, h := range hits {
		views = append(views, archiveHitView{archiveMarkedBefore(h.Title), archiveMarkedBefore(h.Snippet), h.Issue, h.URL})
	}
	var b strings.Builder
	if err := archiveHitsTemplate.Execute(&b, struct {
		First int
		Hits  []archiveHitView
	}{first, views}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestArchiveSearchHitsAsTemplate holds the hand-written hits to the
// template they replace, on values holding every character either escaper
// treats specially, markers stray and doubled, invalid UTF-8 and random
// bytes.
func TestArchiveSearchHitsAsTemplate(t *testing.T) {
	S, E := bulletin.SnippetStart, bulletin.SnippetStop
	awkward := []string{
		"", "plain", `<script>alert("x")</script>`, `a & b + c 'd' "e" <f>`, "nul\x00byte", "\xff\xfe invalid",
		S + "budget" + E + " & " + S + "open", E + "stray" + S + S + "twice" + E + E, "\uE000\uE002\uE001 private use",
		"ﬁ ligature, é, 日本, \U0001F600", "line\nbreaks\tand\r\ntabs", "%41 %zz %4 50%",
	}
	urls := []string{"/archive/weekly/3", "/archive/weekly/3#item-12", "/archive/a b/1?x=1&y=2+3#frag's", `/archive/"quoted"/<1>`,
		"/archive/caf\u00e9/%2F%zz/~._-!$*,;:=@[]()", "/archive/nul\x00/\xff"}
	rng := rand.New(rand.NewPCG(3, 4))
	random := func() string {
		const alphabet = "ab <>&'\"+=%#?/:\x00\n\t\u00e9\uE000\uE001"
		r := []rune(alphabet)
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteRune(r[rng.IntN(len(r))])
		}
		if rng.IntN(4) == 0 {
			b.WriteByte(byte(rng.IntN(256)))
		}
		return b.String()
	}
	var hits []archiveHit
	for i := range 400 {
		pick := func() string {
			if i < 200 {
				return awkward[rng.IntN(len(awkward))]
			}
			return random()
		}
		u := urls[rng.IntN(len(urls))]
		if i >= 200 {
			u = "/" + random()
		}
		hits = append(hits, archiveHit{Title: pick(), Snippet: pick(), URL: u,
			Issue: archiveIssueView{Number: rng.IntN(100000), Subject: pick(), Date: pick(), ISODate: pick(), URL: urls[rng.IntN(len(urls))]}})
	}
	for n := 0; n < len(hits); n += 7 {
		page := hits[n:min(n+7, len(hits))]
		want := archiveHitsBefore(t, n+1, page)
		got := fmt.Sprintf("<ol class=\"hits\" start=\"%d\">%s\n</ol>", n+1, archiveHitsHTML(page))
		if got != want {
			t.Fatalf("hits %d–%d:\n got %q\nwant %q", n, n+len(page)-1, got, want)
		}
	}
}

// TestArchiveSearchPagesAsBefore runs the benchmark's 200 queries (and
// their second pages) over a corpus drawn like the benchmark's, through the
// handler with the store following its archive watch (flat snippets, kept
// parses and newsletter row, hits written by hand), and holds each page's
// summary and hits to what the code before made of the store's whole
// snippets: the same hits in the same order, snippets and marks.
func TestArchiveSearchPagesAsBefore(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	nl := f.newsletter("weekly", "Weekly update", true)
	sentence := benchSentences()
	start := time.Date(2023, 1, 3, 9, 0, 0, 0, time.UTC)
	for n := 1; n <= 40; n++ {
		items := make([]archiveItem, 12)
		for i := range items {
			// Sentences, line breaks and runs of spaces, so snippets are cut.
			body := sentence(12) + ". " + strings.ToUpper(sentence(1)) + " " + sentence(30) + ".\n\n  " + sentence(40)
			items[i] = archiveItem{Title: sentence(6), Body: body, Source: "By " + sentence(2)}
		}
		f.issue(nl, n, "sent", start.AddDate(0, 0, 7*(n-1)), "<p>issue</p>", items...)
	}
	followArchiveWatch(t, f, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	ts := serve(t, &Server{Health: f.db, Archive: f.db})
	archiveNL, err := f.db.ArchiveNewsletter(ctx, "weekly")
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, q := range benchSearchQueries() {
		for _, page := range []int{1, 2} {
			raw := "q=" + url.QueryEscape(q)
			if page > 1 {
				raw += "&page=2"
			}
			r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/search?"+raw)
			if r.status != 200 {
				t.Fatalf("%s = %d", raw, r.status)
			}
			res, err := f.db.ArchiveSearch(ctx, nl, q, archiveSearchN, (page-1)*archiveSearchN)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				continue
			}
			loc := archiveLocation(archiveNL)
			var hits []archiveHit
			for _, h := range res.Hits {
				iv := archiveIssueViewOf(archiveNL, loc, bulletin.ArchiveIssue{Number: h.Number, Subject: h.Subject, SentAt: h.SentAt})
				hits = append(hits, archiveHit{Title: h.Title, Snippet: archiveSnippet(h.Snippet), Issue: iv, URL: fmt.Sprintf("%s#item-%d", iv.URL, h.Ordinal)})
			}
			want := archiveHitsBefore(t, (page-1)*archiveSearchN+1, hits)
			if !strings.Contains(r.body, want) {
				t.Fatalf("%s: the page's hits differ from before; want\n%s\nin\n%s", raw, want, r.body)
			}
			summary := fmt.Sprintf("%d results for “%s”", res.Total, template.HTMLEscapeString(q))
			if res.Total == 1 {
				summary = strings.Replace(summary, "results", "result", 1)
			}
			if !strings.Contains(r.body, summary) {
				t.Errorf("%s: no %q", raw, summary)
			}
			compared++
		}
	}
	if compared < 150 {
		t.Errorf("only %d pages with hits compared: the corpus does not test the queries", compared)
	}
}

// TestArchiveSearchFollowingTheWatch: with the store's search following
// the archive watch, as main wires it, a newly sent issue is found as soon
// as the watch has heard of it, and a cancelled one disappears.
func TestArchiveSearchFollowingTheWatch(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	nl := seedArchive(f, "http://127.0.0.1:9")
	// Only notifications move the version: the poll is an hour.
	watch := followArchiveWatch(t, f, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	ts := serve(t, &Server{Health: f.db, Archive: f.db})
	search := func(q string) string {
		t.Helper()
		v, err := f.db.ArchiveVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := watch.WaitVersion(ctx, v); err != nil { // the NOTIFY, not a sleep
			t.Fatal(err)
		}
		r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/search?"+url.Values{"q": {q}}.Encode())
		if r.status != 200 {
			t.Fatalf("search %q = %d", q, r.status)
		}
		return r.body
	}
	archiveContains(t, "before", search("orchard"), "Nothing in the archive matches “orchard”.")
	f.issue(nl, 9, bulletin.IssueSent, archiveAt("2026-12-02T09:00:00Z"), "<p>9</p>",
		archiveItem{"Orchard replanted", "Forty young apple trees.", ""})
	archiveContains(t, "sent", search("orchard"), "1 result for “orchard”", `<a href="/archive/weekly/9#item-1"><mark>Orchard</mark> replanted</a>`)
	f.exec(`UPDATE newsletters SET name = 'Town news' WHERE id = $1`, nl)
	archiveContains(t, "renamed", search("orchard"), "<h1>Search Town news</h1>", "1 result for “orchard”")
	f.exec(`UPDATE issues SET status = 'cancelled' WHERE newsletter_id = $1 AND number = 9`, nl)
	archiveContains(t, "cancelled", search("orchard"), "Nothing in the archive matches “orchard”.")
	archiveContains(t, "others stay", search("budget"), "2 results for “budget”")
}

// TestArchiveSearchFrames: a result page written from its frame is the
// template's page, byte for byte, for every shape of page and for queries
// and links holding whatever the escapers treat specially; and frames are
// used (none fell back to the template).
func TestArchiveSearchFrames(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	seedArchive(f, "http://127.0.0.1:9")
	f.exec(`UPDATE newsletters SET name = 'Tom & Jerry''s "news" <weekly> + more' WHERE slug = 'weekly'`)
	srv := &Server{Health: f.db, Archive: f.db, Templates: templates.Builtin(), BaseURL: "http://localhost:8080",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := srv.Handler(); err != nil {
		t.Fatal(err)
	}
	a := srv.newArchive()
	nl, err := f.db.ArchiveNewsletter(context.Background(), "weekly")
	if err != nil {
		t.Fatal(err)
	}
	queries := []string{"budget", `"a phrase" or -not`, `<script>alert('x')</script> & + %41 é` + "\u2028", "zqBulletinQueryQz", "918273641", "x"}
	n := 0
	for _, total := range []int{0, 1, 7, 25, 2000} {
		for _, page := range []int{1, 2, 3, 100} {
			for _, hits := range []bool{false, true} {
				q := queries[n%len(queries)]
				n++
				nav := archiveNavFor(nl)
				nav.Query, nav.Current = q, "search"
				d := archiveSearchData{Nav: nav, Query: q, Searched: true, Total: total, Page: page, First: (page-1)*10 + 1, ResultWord: "results"}
				if total == 1 {
					d.ResultWord = "result"
				}
				if hits {
					d.Hits = archiveHitsHTML([]archiveHit{{Title: "T & " + q, Snippet: "S < " + q, URL: "/archive/weekly/1#item-1",
						Issue: archiveIssueView{Number: 1, Subject: q, Date: "1 May 2026", ISODate: "2026-05-01T09:00:00Z", URL: "/archive/weekly/1"}}})
				}
				d.FirstURL = archiveSearchURL(nav.SearchURL, q, 1)
				if page > 1 && hits {
					d.PrevURL = archiveSearchURL(nav.SearchURL, q, page-1)
				}
				if page*10 < total && page < 100 {
					d.NextURL = archiveSearchURL(nav.SearchURL, q, page+1)
				}
				for range 2 { // the first makes the frame, the second uses it
					got, err := a.searchResultPage(nl, &d)
					if err != nil {
						t.Fatal(err)
					}
					want, err := a.pageResponse(200, "archive/search.html", archiveSearchTitle(nl, q), d, archivePageCache, time.Time{})
					if err != nil {
						t.Fatal(err)
					}
					if string(got.Body) != string(want.Body) || got.Status != want.Status || got.Header.Get("Cache-Control") != want.Header.Get("Cache-Control") {
						t.Fatalf("total %d page %d hits %v q %q: the frame's page differs:\n%s\n---- template:\n%s", total, page, hits, q, got.Body, want.Body)
					}
					// The next round asks another query through the same frame.
					q = queries[(n+3)%len(queries)]
					d.Query, d.Nav.Query = q, q
					d.FirstURL = archiveSearchURL(nav.SearchURL, q, 1)
					if d.PrevURL != "" {
						d.PrevURL = archiveSearchURL(nav.SearchURL, q, page-1)
					}
					if d.NextURL != "" {
						d.NextURL = archiveSearchURL(nav.SearchURL, q, page+1)
					}
				}
				if fr := a.searchFrames.frames[frameKeyOf(nl, &d)]; fr == nil {
					t.Errorf("total %d page %d hits %v: no frame; the template ran", total, page, hits)
				}
			}
		}
	}
}
