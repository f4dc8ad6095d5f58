package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/templates"
)

// BenchmarkArchiveCacheRSS fills a 64 MB cache, then an 8 MB one, with the issue page and the
// email (each with its gzip copy) of 1,000 sent issues and reports the
// memory that took: the cache's own count, and the growth of the
// process's resident set and Go heap after a collection.
//
//	go test ./internal/web/ -run '^$' -bench ArchiveCacheRSS -benchtime 1x
func BenchmarkArchiveCacheRSS(b *testing.B) {
	f := newArchiveFixture(b)
	nl := f.newsletter("weekly", "Weekly update", true)
	var filler strings.Builder
	for i := 0; filler.Len() < 22_000; i++ {
		fmt.Fprintf(&filler, `<tr><td class="pad text" style="font-size:16px;line-height:24px;color:#2b2b2b;padding:12px 32px"><h3>Item %d</h3><p>%s</p></td></tr>`,
			i, strings.Repeat("Words of the week about the park, the budget and the library. ", 3+i%5))
	}
	f.exec(`INSERT INTO issues (newsletter_id, number, status, subject, html, sent_at)
		SELECT $1, n, 'sent', 'Weekly update ' || n, '<!doctype html><html><body><h1>Issue ' || n || '</h1>' || $2 || '</body></html>',
			'2007-01-02T09:00:00Z'::timestamptz + n * interval '7 days'
		FROM generate_series(1, 1000) n`, nl, filler.String())
	f.exec(`INSERT INTO items (newsletter_id, issue_id, issue_position, title, body, status)
		SELECT $1, i.id, p, 'Item ' || p || ' of issue ' || i.number, 'Body of the item.', 'approved'
		FROM issues i, generate_series(1, 12) p`, nl)
	f.exec(`ANALYZE`)

	for _, mb := range []int64{64, 8} {
		benchCacheRSS(b, f, mb)
	}
}

// benchCacheRSS fills a cache of mb MB with the 1,000 issues' pages and emails.
func benchCacheRSS(b *testing.B, f archiveFixture, mb int64) {
	cache := archivecache.New(mb << 20)
	cache.Apply(1) // store from now on; nothing changes in this run
	srv := &Server{Health: f.db, Archive: f.db, ArchiveCache: cache, Templates: templates.Builtin(),
		BaseURL: "http://localhost:8080", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h, err := srv.Handler()
	if err != nil {
		b.Fatal(err)
	}
	url := benchListen(b, h)
	client := &http.Client{}
	get := func(path string) {
		resp, err := client.Get(url + path)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	get("/archive/weekly/1") // warm up everything but the cache's contents
	rss0, heap0 := benchMemory(b)
	start := time.Now()
	for n := 1; n <= 1000; n++ {
		get("/archive/weekly/" + strconv.Itoa(n))
		get("/archive/weekly/" + strconv.Itoa(n) + "/email")
	}
	fill := time.Since(start)
	rss1, heap1 := benchMemory(b)
	st := cache.Stats()
	fmt.Printf("1,000 issues through a %d MB cache: %d entries, %.1f MB counted by the cache (bound %d MB), %d evictions; "+
		"RSS %.1f → %.1f MB (+%.1f), Go heap in use +%.1f MB; filled in %v; load average %s\n",
		mb, st.Entries, float64(st.Bytes)/(1<<20), st.Max>>20, st.Evictions,
		float64(rss0)/(1<<20), float64(rss1)/(1<<20), float64(rss1-rss0)/(1<<20), float64(heap1-heap0)/(1<<20),
		fill.Round(time.Millisecond), benchLoad())
	b.ReportMetric(float64(rss1-rss0)/(1<<20), fmt.Sprintf("RSS-growth-MB-at-%dMB", mb))
}

// benchMemory collects garbage, returns memory to the OS, and reads the
// resident set (VmRSS) and the Go heap in use.
func benchMemory(b *testing.B) (rss, heap uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n << 10, ms.HeapInuse
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0, 0
}

func benchLoad() string {
	load, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(load))[:3], " ")
}
