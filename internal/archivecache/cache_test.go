package archivecache

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func entry(body string) *Entry {
	return NewEntry(Response{Status: 200, ContentType: "text/html; charset=utf-8", Body: []byte(body),
		Header: http.Header{"Cache-Control": {"public, max-age=60"}}, Modified: time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)}, true)
}

func fetch(t *testing.T, c *Cache, key, body string) *Entry {
	t.Helper()
	e, err := c.Fetch(context.Background(), key, func() (*Entry, bool, error) { return entry(body), true, nil })
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCacheStaysWithinItsBound(t *testing.T) {
	c := New(64 << 10)
	c.Apply(1)
	body := strings.Repeat("x", 1000)
	for i := range 1000 {
		fetch(t, c, fmt.Sprint("/p/", i), body)
		if s := c.Stats(); s.Bytes > s.Max {
			t.Fatalf("after %d entries: %d bytes held, bound %d", i+1, s.Bytes, s.Max)
		}
	}
	s := c.Stats()
	if s.Evictions == 0 || s.Entries == 0 || s.Entries >= 1000 {
		t.Errorf("stats = %+v: want evictions and some entries kept", s)
	}
}

func TestCacheKeepsWhatIsUsed(t *testing.T) {
	c := New(40 << 10)
	c.Apply(1)
	body := strings.Repeat("y", 1000) // ~1.5 KB an entry with its overhead
	fetch(t, c, "/hot", body)
	for i := range 200 {
		if c.Get("/hot") == nil {
			t.Fatalf("the hot entry was evicted after %d others", i)
		}
		fetch(t, c, fmt.Sprint("/cold/", i), body)
	}
	if c.Get("/cold/0") != nil {
		t.Error("the first cold entry is still there after 200 others")
	}
}

func TestCacheStoresNothingBeforeItKnowsTheVersion(t *testing.T) {
	c := New(1 << 20)
	fetch(t, c, "/a", "one")
	if c.Get("/a") != nil {
		t.Fatal("stored before any version was applied")
	}
	c.Apply(7)
	fetch(t, c, "/a", "one")
	if c.Get("/a") == nil {
		t.Fatal("not stored after version 7 was applied")
	}
	c.Apply(7)
	if c.Get("/a") == nil {
		t.Fatal("applying the same version dropped the entry")
	}
	c.Apply(8)
	if c.Get("/a") != nil {
		t.Fatal("a new version kept the entry")
	}
}

// A build that read the database before a change must not be stored once
// the change is announced, nor be joined by requests arriving after it.
func TestCacheDropsBuildsOverlappingAnInvalidation(t *testing.T) {
	c := New(1 << 20)
	c.Apply(1)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan *Entry)
	go func() {
		e, _ := c.Fetch(context.Background(), "/a", func() (*Entry, bool, error) {
			close(started)
			<-release
			return entry("old"), true, nil
		})
		done <- e
	}()
	<-started
	c.Apply(2)
	fresh := fetch(t, c, "/a", "new") // does not wait for the old build
	close(release)
	if old := <-done; string(old.plain.body) != "old" || string(fresh.plain.body) != "new" {
		t.Fatalf("builds returned %q and %q", old.plain.body, fresh.plain.body)
	}
	if e := c.Get("/a"); e == nil || string(e.plain.body) != "new" {
		t.Fatalf("stored %v, want the build begun after the change", e)
	}
}

func TestCacheSharesOneBuild(t *testing.T) {
	c := New(1 << 20)
	c.Apply(1)
	var mu sync.Mutex
	builds := 0
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Fetch(context.Background(), "/a", func() (*Entry, bool, error) {
				mu.Lock()
				builds++
				mu.Unlock()
				<-gate
				return entry("a"), true, nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	// Let the goroutines pile up on the one build, then finish it.
	for c.Stats().Misses < 20 {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	if builds != 1 {
		t.Errorf("%d builds for 20 concurrent requests of one page", builds)
	}
}

func serveEntry(e *Entry, method string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/x", nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.Serve(w, r)
	return w
}

func TestEntryServes(t *testing.T) {
	body := strings.Repeat("<p>compressible text</p>\n", 100)
	e := entry(body)
	plain := serveEntry(e, "GET")
	if plain.Code != 200 || plain.Body.String() != body || plain.Header().Get("Content-Encoding") != "" ||
		plain.Header().Get("Content-Length") != fmt.Sprint(len(body)) || plain.Header().Get("Vary") != "Accept-Encoding" ||
		plain.Header().Get("Cache-Control") != "public, max-age=60" || plain.Header().Get("Last-Modified") != "Wed, 18 Nov 2026 09:00:00 GMT" {
		t.Fatalf("plain = %d %v", plain.Code, plain.Header())
	}
	gz := serveEntry(e, "GET", "Accept-Encoding", "br;q=1.0, GZIP;q=0.8")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Body.Len() >= len(body)/2 || gz.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Fatalf("gzip = %v, %d bytes", gz.Header(), gz.Body.Len())
	}
	for _, ae := range []string{"gzip;q=0", "identity", "br", "gzip ; q=0.000", "xgzip"} {
		if r := serveEntry(e, "GET", "Accept-Encoding", ae); r.Header().Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q got gzip", ae)
		}
	}
	if r := serveEntry(e, "GET", "Accept-Encoding", "*"); r.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("Accept-Encoding * did not get gzip")
	}
	etag := plain.Header().Get("ETag")
	for _, h := range [][]string{{"If-None-Match", etag}, {"If-None-Match", `"x", W/` + etag}, {"If-Modified-Since", "Wed, 18 Nov 2026 09:00:00 GMT"}} {
		if r := serveEntry(e, "GET", h...); r.Code != 304 || r.Body.Len() != 0 || r.Header().Get("ETag") != etag || r.Header().Get("Content-Length") != "" {
			t.Errorf("%v = %d %v", h, r.Code, r.Header())
		}
	}
	for _, h := range [][]string{{"If-None-Match", `"x"`}, {"If-Modified-Since", "Tue, 17 Nov 2026 09:00:00 GMT"}, {"If-None-Match", `"x"`, "If-Modified-Since", "Wed, 18 Nov 2026 09:00:00 GMT"}} {
		if r := serveEntry(e, "GET", h...); r.Code != 200 || r.Body.String() != body {
			t.Errorf("%v = %d", h, r.Code)
		}
	}
	if r := serveEntry(e, "HEAD"); r.Code != 200 || r.Body.Len() != 0 || r.Header().Get("Content-Length") != fmt.Sprint(len(body)) {
		t.Errorf("HEAD = %d, %d bytes, %v", r.Code, r.Body.Len(), r.Header())
	}
	nf := serveEntry(NewEntry(Response{Status: 404, ContentType: "text/html", Body: []byte("gone")}, false), "GET", "If-None-Match", "*")
	if nf.Code != 404 || nf.Header().Get("ETag") != "" || nf.Body.String() != "gone" {
		t.Errorf("404 = %d %v", nf.Code, nf.Header())
	}
}

func TestWaitVersion(t *testing.T) {
	c := New(1 << 20)
	go func() {
		for v := int64(1); v <= 5; v++ {
			c.Apply(v)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitVersion(ctx, 5); err != nil || c.Version() != 5 {
		t.Fatalf("WaitVersion = %v at %d", err, c.Version())
	}
}

func TestGetQueryFindsPathAndQuery(t *testing.T) {
	c := New(1 << 20)
	c.Apply(1)
	fetch(t, c, "/archive/weekly/search?q=budget", "results")
	if e := c.GetQuery("/archive/weekly/search", "q=budget"); e == nil || string(e.plain.body) != "results" {
		t.Fatalf("GetQuery = %v", e)
	}
	if c.GetQuery("/archive/weekly/search", "q=other") != nil || c.Get("/archive/weekly/search") != nil {
		t.Fatal("found an entry for another key")
	}
	long := strings.Repeat("q", 600) // past the stack buffer
	fetch(t, c, "/s?"+long, "long")
	if e := c.GetQuery("/s", long); e == nil || string(e.plain.body) != "long" {
		t.Fatalf("GetQuery of a long key = %v", e)
	}
}
