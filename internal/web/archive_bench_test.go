package web

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"bulletin/templates"
)

// Load benchmarks of the archive against a real server on loopback and a
// real PostgreSQL holding 200 sent issues of 12 items each. Run with
//
//	go test ./internal/web/ -run '^$' -bench Archive -benchtime 10s
//
// b.SetParallelism(4) on this 2-core machine gives 8 concurrent clients.
// Besides ns/op they report requests per second and the 50th/99th
// percentile latency.

// The corpus: 3,000 made-up words drawn with a Zipf distribution, like
// words in prose, among which real ones sit at ranks from 100 to 660, so a
// search for "budget" matches a realistic share of the items, not all.
var benchNamed = strings.Fields(`budget council park library school bus cycling lane market festival
	volunteers housing river bridge garden concert museum clinic repairs street lights crossing
	playground elections consultation recycling water energy solar trees youth club sports choir`)

func benchVocabulary(rng *rand.Rand) []string {
	syll := strings.Fields("ka lo mi ne ru sa ti vo pe da go ha ji ku ma no pi re so tu")
	words := make([]string, 3000)
	for i := range words {
		words[i] = syll[i%20] + syll[(i/20)%20] + syll[(i/400)%20] + "n"
	}
	for i, w := range benchNamed {
		words[100+i*16] = w
	}
	return words
}

// benchSentences returns a maker of n-word sentences drawn from the
// benchmark vocabulary with Zipf frequencies, the same words on every run.
func benchSentences() func(n int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := benchVocabulary(rng)
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	return func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[zipf.Uint64()]
		}
		return strings.Join(w, " ")
	}
}

// seedBenchArchive stores 200 sent issues of 12 items, each with a stored
// email of about emailBytes.
func seedBenchArchive(b *testing.B, emailBytes int) archiveFixture {
	b.Helper()
	f := newArchiveFixture(b)
	nl := f.newsletter("weekly", "Weekly update", true)
	sentence := benchSentences()
	// A stored issue of realistic size (~30 KB, like a compiled one).
	var email strings.Builder
	email.WriteString(archiveEmailHTML(1, "https://cdn.example"))
	for email.Len() < emailBytes {
		fmt.Fprintf(&email, `<tr><td class="pad text" style="font-size:16px;line-height:24px;color:#2b2b2b;padding:12px 32px"><h3 class="item-title">%s</h3><p>%s</p><p><a class="more" href="https://example.org/%d">Read more</a></p></td></tr>`,
			sentence(6), sentence(60), email.Len())
	}
	start := time.Date(2023, 1, 3, 9, 0, 0, 0, time.UTC)
	for n := 1; n <= 200; n++ {
		items := make([]archiveItem, 12)
		for i := range items {
			items[i] = archiveItem{Title: sentence(6), Body: sentence(80), Source: "By " + sentence(2)}
		}
		f.issue(nl, n, "sent", start.AddDate(0, 0, 7*(n-1)), email.String(), items...)
	}
	f.exec(`ANALYZE`)
	return f
}

// BenchmarkArchive seeds once and then loads each kind of request.
func BenchmarkArchive(b *testing.B) {
	f := seedBenchArchive(b, 30_000)
	srv := &Server{Health: f.db, Archive: f.db, Templates: templates.Builtin(), BaseURL: "http://localhost:8080",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h, err := srv.Handler()
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(h) // serve() takes a *testing.T
	b.Cleanup(ts.Close)
	for _, c := range []struct{ name, path string }{
		{"IssuePage", "/archive/weekly/150"},
		{"IssueEmail", "/archive/weekly/150/email"},
		{"Search", "/archive/weekly/search?q=budget"},
		{"SearchTwoWords", "/archive/weekly/search?q=budget+council"},
		{"SearchPage5", "/archive/weekly/search?q=%22street+lights%22+or+festival&page=5"},
	} {
		b.Run(c.name, func(b *testing.B) { loadBench(b, ts.URL, c.path) })
	}
}

// loadBench requests path from 8 goroutines for b.N requests in all.
func loadBench(b *testing.B, base, path string) {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	client := &http.Client{Transport: tr}
	b.Cleanup(tr.CloseIdleConnections)
	get := func() error {
		resp, err := client.Get(base + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s: %d", path, resp.StatusCode)
		}
		return nil
	}
	if err := get(); err != nil { // warm up, and check the page works
		b.Fatal(err)
	}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(4)
	b.ResetTimer()
	began := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			if err := get(); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(began)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		b.Fatal("no requests completed")
	}
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
