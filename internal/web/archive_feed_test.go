package web

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Parsed with encoding/xml into the RFC 4287 element names, independently
// of the structs that wrote it.
type archiveParsedFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func TestArchiveFeed(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	seedArchive(f, "http://127.0.0.1:9")
	ts := serve(t, &Server{Health: f.db, Archive: f.db, BaseURL: "https://news.example:8443"})

	r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/feed.atom")
	if r.status != 200 || r.header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("feed = %d %s", r.status, r.header.Get("Content-Type"))
	}
	var feed archiveParsedFeed
	if err := xml.Unmarshal([]byte(r.body), &feed); err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, r.body)
	}
	if feed.ID != "tag:news.example,2026:weekly" || feed.Title != "Weekly update" || feed.Author.Name != "Weekly update" {
		t.Errorf("feed id %q title %q author %q", feed.ID, feed.Title, feed.Author.Name)
	}
	if feed.Updated != "2026-11-18T09:00:00Z" {
		t.Errorf("feed updated = %q, want the last issue's sending time", feed.Updated)
	}
	links := map[string]string{}
	for _, l := range feed.Links {
		links[l.Rel] = l.Href
	}
	if links["self"] != "https://news.example:8443/archive/weekly/feed.atom" || links["alternate"] != "https://news.example:8443/archive/weekly/" {
		t.Errorf("feed links = %v", links)
	}
	var ids []string
	for _, e := range feed.Entries {
		ids = append(ids, e.ID)
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry %s updated %q: %v", e.ID, e.Updated, err)
		}
	}
	if strings.Join(ids, " ") != "tag:news.example,2026:weekly/5 tag:news.example,2026:weekly/2 tag:news.example,2026:weekly/1" {
		t.Fatalf("entry ids = %v, want the sent issues newest first", ids)
	}
	two := feed.Entries[1]
	if two.Title != "Weekly update 2" || two.Link.Href != "https://news.example:8443/archive/weekly/2" || two.Content.Type != "html" {
		t.Errorf("entry 2 = %+v", two)
	}
	// Once decoded, the HTML content still shows the payload as text.
	archiveContains(t, "entry content", two.Content.Body, "<li>Park reopens</li>", "<li>&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; Budget &lt;b&gt;vote&lt;/b&gt;</li>")
	archiveLacks(t, "feed", r.body, archiveUnsent...)

	// A second fetch with the validators is 304; so is HEAD with them.
	etag, lm := r.header.Get("ETag"), r.header.Get("Last-Modified")
	if etag == "" || lm != "Wed, 18 Nov 2026 09:00:00 GMT" {
		t.Fatalf("feed validators: ETag %q Last-Modified %q", etag, lm)
	}
	if again := archiveFetch(t, "GET", ts.URL+"/archive/weekly/feed.atom", "If-None-Match", etag); again.status != http.StatusNotModified || again.body != "" {
		t.Errorf("feed with If-None-Match = %d %q", again.status, again.body)
	}
	// A new issue changes the feed and its validator.
	f.exec(`UPDATE issues SET status = 'sent', sent_at = '2026-11-25T09:00:00Z' WHERE number = 6`)
	changed := archiveFetch(t, "GET", ts.URL+"/archive/weekly/feed.atom", "If-None-Match", etag)
	if changed.status != 200 || changed.header.Get("ETag") == etag || !strings.Contains(changed.body, "weekly/6</id>") {
		t.Errorf("feed after a new issue = %d, ETag %q", changed.status, changed.header.Get("ETag"))
	}
}

func TestArchiveConditionalAndHead(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	seedArchive(f, "http://127.0.0.1:9")
	ts := serve(t, &Server{Health: f.db, Archive: f.db})

	for _, path := range []string{"/archive/weekly/2", "/archive/weekly/2/email"} {
		r := archiveFetch(t, "GET", ts.URL+path)
		etag, lm := r.header.Get("ETag"), r.header.Get("Last-Modified")
		if r.status != 200 || !strings.HasPrefix(etag, `"`) || lm == "" {
			t.Fatalf("%s = %d, ETag %q, Last-Modified %q", path, r.status, etag, lm)
		}
		for _, h := range [][]string{
			{"If-None-Match", etag},
			{"If-None-Match", `"other", W/` + etag},
			{"If-Modified-Since", lm},
		} {
			got := archiveFetch(t, "GET", ts.URL+path, h...)
			if got.status != http.StatusNotModified || got.body != "" || got.header.Get("ETag") != etag {
				t.Errorf("%s with %s = %d (body %d bytes), want 304", path, h[0], got.status, len(got.body))
			}
		}
		for _, h := range [][]string{
			{"If-None-Match", `"stale"`},
			{"If-Modified-Since", "Mon, 02 Nov 2026 09:00:00 GMT"},
			{"If-None-Match", `"stale"`, "If-Modified-Since", lm}, // If-None-Match decides
		} {
			if got := archiveFetch(t, "GET", ts.URL+path, h...); got.status != 200 || got.body != r.body {
				t.Errorf("%s with %v = %d, want the full page", path, h, got.status)
			}
		}
		// The GETs went with Go's "Accept-Encoding: gzip"; the gzip copy has
		// its own strong ETag, so HEAD asks for the same.
		head := archiveFetch(t, "HEAD", ts.URL+path, "Accept-Encoding", "gzip")
		if head.status != 200 || head.body != "" || head.header.Get("ETag") != etag ||
			head.header.Get("Content-Type") != r.header.Get("Content-Type") {
			t.Errorf("HEAD %s = %d, %d bytes, ETag %q", path, head.status, len(head.body), head.header.Get("ETag"))
		}
	}
	// The issue page shows its neighbours, so sending issue 6 (after 5)
	// changes issue 5's page but not issue 2's.
	five := archiveFetch(t, "GET", ts.URL+"/archive/weekly/5")
	two := archiveFetch(t, "GET", ts.URL+"/archive/weekly/2")
	f.exec(`UPDATE issues SET status = 'sent', sent_at = '2026-11-25T09:00:00Z' WHERE number = 6`)
	if r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/5", "If-None-Match", five.header.Get("ETag")); r.status != 200 ||
		!strings.Contains(r.body, `rel="next" href="/archive/weekly/6"`) || r.header.Get("Last-Modified") != "Wed, 25 Nov 2026 09:00:00 GMT" {
		t.Errorf("issue 5 after issue 6 was sent = %d, Last-Modified %q", r.status, r.header.Get("Last-Modified"))
	}
	if r := archiveFetch(t, "GET", ts.URL+"/archive/weekly/2", "If-None-Match", two.header.Get("ETag")); r.status != http.StatusNotModified {
		t.Errorf("issue 2 after issue 6 was sent = %d, want 304", r.status)
	}
	// HEAD works on every archive page.
	for _, path := range []string{"/", "/archive/weekly/", "/archive/weekly/2026/11/", "/archive/weekly/search?q=budget", "/archive/weekly/feed.atom", "/archive/weekly/99"} {
		get, head := archiveFetch(t, "GET", ts.URL+path), archiveFetch(t, "HEAD", ts.URL+path)
		if head.status != get.status || head.body != "" {
			t.Errorf("HEAD %s = %d with %d bytes, GET = %d", path, head.status, len(head.body), get.status)
		}
	}
}
