package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/templates"
)

// BenchmarkArchiveSearchAgainstNginx measures search when no response
// cache can help: every request asks a different query.
//
//	go test ./internal/web/ -run '^$' -bench ArchiveSearchAgainstNginx -benchtime 1x
//
// It seeds 200 sent issues of 12 items, serves the real handler without
// its response cache on loopback, and runs `wrk -t2 -c16 -d10s --latency`
// with a Lua script that cycles through 200 distinct queries drawn from
// the seeded corpus (words from the most common to rare ones, every fifth
// a two-word query, every tenth a phrase), each wrk thread starting at a
// different place. In the same run nginx serves a static search page of
// the same size. It prints req/s, p99 and the load average of each.
// BULLETIN_BENCH_ROUNDS and BULLETIN_BENCH_DURATION work as in
// BenchmarkArchiveAgainstNginx. Without wrk or nginx it fails; it never skips.
func BenchmarkArchiveSearchAgainstNginx(b *testing.B) {
	wrk, nginx := benchTools(b)
	f := seedBenchArchive(b, 23_000)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	followArchiveWatch(b, f, 5*time.Second, log)
	srv := &Server{Health: f.db, Archive: f.db, Templates: templates.Builtin(), BaseURL: "http://localhost:8080", Log: log}
	h, err := srv.Handler()
	if err != nil {
		b.Fatal(err)
	}
	ours := benchListen(b, h)

	queries := benchSearchQueries()
	dir := b.TempDir()
	// Every query must answer 200 with hits or a clean "nothing"; the sizes
	// give the static page nginx serves.
	var total, hits int
	for _, q := range queries {
		resp, err := http.Get(ours + "/archive/weekly/search?q=" + url.QueryEscape(q))
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%q: %d %v", q, resp.StatusCode, err)
		}
		total += len(body)
		found := strings.Contains(string(body), `<ol class="hits"`)
		if found {
			hits++
		}
		// The never-seen rounds' "or <a word found nowhere>" must find the same.
		resp, err = http.Get(ours + "/archive/weekly/search?q=" + url.QueryEscape(q+" or zq0n0"))
		if err != nil {
			b.Fatal(err)
		}
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || strings.Contains(string(body), `<ol class="hits"`) != found {
			b.Fatalf("%q or zq0n0: %d %v, hits %v want %v", q, resp.StatusCode, err, !found, found)
		}
	}
	size := total / len(queries)
	unit := "<p>search result page of average size</p>\n"
	page := []byte(strings.Repeat(unit, size/len(unit)+1)[:size])
	html := filepath.Join(dir, "html")
	if err := os.MkdirAll(html, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(html, "search"), page, 0o644); err != nil {
		b.Fatal(err)
	}
	nginxURL := benchNginx(b, nginx, dir, "    location = /search { }\n")
	script := filepath.Join(dir, "queries.lua")
	if err := os.WriteFile(script, []byte(benchSearchLua(queries, false, 0)), 0o644); err != nil {
		b.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh.lua")
	if err := os.WriteFile(fresh, []byte(benchSearchLua(queries, true, 0)), 0o644); err != nil {
		b.Fatal(err)
	}
	paced := filepath.Join(dir, "paced.lua")
	if err := os.WriteFile(paced, []byte(benchSearchLua(queries, true, 7)), 0o644); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("%d distinct queries, %d with hits, pages of %d bytes on average\n", len(queries), hits, size)

	rounds := benchRounds(b)
	fmt.Printf("\n%-5s %-30s %10s %10s %8s  %s\n", "round", "server", "req/s", "p99", "share", "load average")
	var ourRPS, shares, freshRPS []float64
	var pacedP99 []string
	for round := 1; round <= rounds; round++ {
		limit := benchWrkScript(b, wrk, nginxURL+"/search", "")
		fmt.Printf("%-5d %-30s %10.0f %10s %8s  %s\n", round, "nginx, static page", limit.rps, limit.p99, "", limit.load)
		goCPU, pgCPU := benchCPU(b)
		r := benchWrkScript(b, wrk, ours+"/archive/weekly/search", script)
		goCPU2, pgCPU2 := benchCPU(b)
		fmt.Printf("%-5d %-30s %10.0f %10s %7.1f%%  %s\n", round, "bulletin, 200 distinct queries", r.rps, r.p99, 100*r.rps/limit.rps, r.load)
		n := r.rps * r.secs
		fmt.Printf("%-5d CPU per search: Go %.0f µs, PostgreSQL %.0f µs\n", round, 1e6*(goCPU2-goCPU)/n, 1e6*(pgCPU2-pgCPU)/n)
		ourRPS = append(ourRPS, r.rps)
		shares = append(shares, r.rps/limit.rps)

		goCPU, pgCPU = benchCPU(b)
		r = benchWrkScript(b, wrk, ours+"/archive/weekly/search", fresh)
		goCPU2, pgCPU2 = benchCPU(b)
		fmt.Printf("%-5d %-30s %10.0f %10s %7.1f%%  %s\n", round, "bulletin, never-seen queries", r.rps, r.p99, 100*r.rps/limit.rps, r.load)
		n = r.rps * r.secs
		fmt.Printf("%-5d CPU per search: Go %.0f µs, PostgreSQL %.0f µs\n", round, 1e6*(goCPU2-goCPU)/n, 1e6*(pgCPU2-pgCPU)/n)
		freshRPS = append(freshRPS, r.rps)

		r = benchWrkScript(b, wrk, ours+"/archive/weekly/search", paced)
		fmt.Printf("%-5d %-30s %10.0f %10s %8s  %s\n", round, "bulletin, never-seen, paced", r.rps, r.p99, "", r.load)
		pacedP99 = append(pacedP99, r.p99)
	}
	fmt.Printf("\nsearch, distinct queries, median of %d: %.0f req/s, %.1f%% of nginx\n", rounds, benchMedian(ourRPS), 100*benchMedian(shares))
	fmt.Printf("search, never-seen queries, median of %d: %.0f req/s\n", rounds, benchMedian(freshRPS))
	fmt.Printf("search, never-seen queries paced near 2,000 req/s: p99 %s\n", strings.Join(pacedP99, ", "))
	b.ReportMetric(benchMedian(ourRPS), "search-req/s")
}

// benchSearchQueries returns 200 distinct queries over the seeded corpus:
// single words spread over the vocabulary's ranks (common words match most
// items, rare ones a few or none), every fifth two words, every tenth a
// quoted phrase.
func benchSearchQueries() []string {
	vocab := benchVocabulary(rand.New(rand.NewPCG(1, 2)))
	out := make([]string, 0, 200)
	for i := range 200 {
		w := vocab[(i*15)%len(vocab)]
		switch {
		case i%10 == 9:
			out = append(out, `"`+w+" "+vocab[(i*7+1)%len(vocab)]+`"`)
		case i%5 == 4:
			out = append(out, w+" "+vocab[(i*7+1)%len(vocab)])
		default:
			out = append(out, w)
		}
	}
	for i, w := range benchNamed[:20] { // the real words among them
		out[i*10+3] = w
	}
	return out
}

// benchSearchLua is a wrk script requesting ?q= of each query in turn, each
// thread from its own starting point. With fresh, every request adds
// "or <a word found nowhere>" unique to the request: the same hits, but a
// query the process has never parsed, so no per-query memo helps. With
// pace > 0 each connection waits pace ms after an answer before its next
// request (wrk times a request from when it is sent): 16 connections at
// 7 ms make about 2,000 searches a second, the rate, so p99 is the
// latency at that rate rather than a saturated machine's queue.
func benchSearchLua(queries []string, fresh bool, pace int) string {
	var b strings.Builder
	b.WriteString("local qs = {\n")
	for _, q := range queries {
		fmt.Fprintf(&b, "  %q,\n", "?q="+url.QueryEscape(q))
	}
	fmt.Fprintf(&b, "}\nlocal fresh = %t\nlocal pace = %d\n", fresh, pace)
	b.WriteString(`local i = 0
local path = ""
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
  thread:set("start", math.random(#qs))
end
function init(args)
  i = start or 0
  path = wrk.path
end
function request()
  i = i + 1
  local q = qs[(i % #qs) + 1]
  if fresh then
    q = q .. "+or+zq" .. (tid or 0) .. "n" .. i
  end
  return wrk.format("GET", path .. q)
end
if pace > 0 then
  function delay()
    return pace
  end
end
`)
	return b.String()
}

// benchWrkScript runs benchWrk on target, with a Lua script if one is
// given, and notes the run's length.
func benchWrkScript(b *testing.B, bin, target, script string) wrkSearchResult {
	var extra []string
	if script != "" {
		extra = []string{"-s", script}
	}
	r := wrkSearchResult{wrkResult: benchWrk(b, bin, target, extra...)}
	dur, err := time.ParseDuration(benchDuration())
	if err != nil {
		b.Fatalf("BULLETIN_BENCH_DURATION=%q: %v", benchDuration(), err)
	}
	r.secs = dur.Seconds()
	return r
}

type wrkSearchResult struct {
	wrkResult
	secs float64 // the run's length
}

// benchCPU returns the CPU seconds used so far by this process (the
// server) and by the PostgreSQL processes it started (the test server's
// postmaster and backends), from /proc. With DATABASE_URL set the server is
// not ours and its share reads 0.
func benchCPU(b *testing.B) (self, pg float64) {
	const hz = 100 // USER_HZ on Linux
	parent := map[int]int{}
	cpu := map[int]float64{}
	postgres := map[int]bool{}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue // gone
		}
		// After "(comm)": state ppid … utime(14) stime(15), counted from 1.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		ut, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		parent[pid], cpu[pid] = ppid, (ut+st)/hz
		postgres[pid] = strings.Contains(string(stat), "(postgres)")
	}
	me := os.Getpid()
	for pid := range cpu {
		if !postgres[pid] {
			continue
		}
		for p := parent[pid]; p != 0; p = parent[p] {
			if p == me {
				pg += cpu[pid]
				break
			}
		}
	}
	return cpu[me], pg
}

// followArchiveWatch runs the archive watch main runs (LISTEN/NOTIFY and a
// version poll every poll) until the test or benchmark ends, and has the
// store's search follow its version as main wires it. The watch's page
// cache is not given to the handler: every search is answered afresh. It
// returns the cache, whose WaitVersion tells when a version has arrived.
func followArchiveWatch(tb testing.TB, f archiveFixture, poll time.Duration, log *slog.Logger) *archivecache.Cache {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cache := archivecache.New(1 << 20)
	watched := make(chan error, 1)
	go func() { watched <- archivecache.Watch(ctx, f.db, cache, poll, log) }()
	tb.Cleanup(func() { cancel(); <-watched })
	if err := cache.WaitVersion(ctx, 1); err != nil {
		tb.Fatal(err)
	}
	f.db.FollowArchiveVersion(cache.Version)
	return cache
}

// BenchmarkArchiveSearchHandler is the CPU and allocations of one uncached
// search inside the process, without the network, cycling through the same
// 200 distinct queries, with the store following the archive watch as main
// wires it (PostgreSQL parses each distinct query once; the version comes
// from the watch):
//
//	go test ./internal/web/ -run '^$' -bench ArchiveSearchHandler -benchmem
func BenchmarkArchiveSearchHandler(b *testing.B) {
	f := seedBenchArchive(b, 2_000)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	followArchiveWatch(b, f, 5*time.Second, log)
	srv := &Server{Health: f.db, Archive: f.db, Templates: templates.Builtin(), BaseURL: "http://localhost:8080", Log: log}
	h, err := srv.Handler()
	if err != nil {
		b.Fatal(err)
	}
	var reqs []*http.Request
	for _, q := range benchSearchQueries() {
		reqs = append(reqs, httptest.NewRequest("GET", "/archive/weekly/search?q="+url.QueryEscape(q), nil))
	}
	w := &discardWriter{h: http.Header{}}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	began := time.Now()
	h.ServeHTTP(w, reqs[0]) // builds the index
	took := time.Since(began)
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Printf("first search (builds the index of 2,400 items): %v, live heap %+.1f MB\n",
		took.Round(time.Millisecond), float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20))
	// Each query's first search asks PostgreSQL to parse it; later ones
	// make no round trip while the archive is unchanged.
	goCPU, pgCPU := benchCPU(b)
	for _, r := range reqs[1:] {
		w.h = make(http.Header)
		h.ServeHTTP(w, r)
	}
	goCPU2, pgCPU2 := benchCPU(b)
	n := float64(len(reqs) - 1)
	fmt.Printf("first search of each query (parsed by PostgreSQL): CPU per search Go %.0f µs, PostgreSQL %.0f µs (%d searches, 10 ms ticks)\n",
		1e6*(goCPU2-goCPU)/n, 1e6*(pgCPU2-pgCPU)/n, len(reqs)-1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w.h = make(http.Header)
		h.ServeHTTP(w, reqs[i%len(reqs)])
		if w.code != 200 {
			b.Fatalf("%s: %d", reqs[i%len(reqs)].URL, w.code)
		}
		i++
	}
}
