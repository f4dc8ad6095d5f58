package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"bulletin/internal/pgtest"
	"bulletin/templates"
)

// BenchmarkRedirectWrk loads GET /r/{issue}/{link} and, for comparison in
// the same run, the archive issue page, each with Debian's wrk
// (wrk -t2 -c16 -d10s --latency) against a real server on loopback and a
// real PostgreSQL, then flushes the click counter and checks that
// link_clicks holds exactly the 302s the server answered. Run with
//
//	go test ./internal/web/ -run '^$' -bench RedirectWrk -benchtime 1x
//
// and read the figures from the log (-v), with /proc/loadavg.
func BenchmarkRedirectWrk(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Fatal("wrk is not installed (apt-get install wrk)")
	}
	db := pgtest.New(b)
	is := clickIssue(b, db)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sent', started_at = now(), sent_at = now() WHERE id = $1`, is.ID); err != nil {
		b.Fatal(err)
	}
	s, flush := clickServer(b, db)
	s.Archive, s.Templates, s.Log = db, templates.Builtin(), slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := s.Handler()
	if err != nil {
		b.Fatal(err)
	}
	var answered atomic.Int64 // 302s of /r/, to compare with the stored clicks
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == http.StatusFound && r.Method == http.MethodGet {
			answered.Add(1)
		}
	}))
	b.Cleanup(ts.Close)
	for range b.N {
		for _, c := range []struct{ name, path string }{
			{"redirect", fmt.Sprintf("/r/%d/1", is.ID)},
			{"archive issue page", "/archive/weekly/1"},
		} {
			resp, err := noFollow().Get(ts.URL + c.path) // the path works before it is loaded
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 400 {
				b.Fatalf("%s: %d", c.path, resp.StatusCode)
			}
			out, err := exec.Command(wrk, "-t2", "-c16", "-d10s", "--latency", ts.URL+c.path).CombinedOutput()
			if err != nil {
				b.Fatalf("wrk: %v\n%s", err, out)
			}
			load, _ := os.ReadFile("/proc/loadavg")
			b.Logf("%s %s: %s req/s; p50 %s, p90 %s, p99 %s; non-2xx/3xx: %s; loadavg %s", c.name, c.path, wrkField(out, `Requests/sec:\s+(\S+)`),
				wrkField(out, `\s50%\s+(\S+)`), wrkField(out, `\s90%\s+(\S+)`), wrkField(out, `\s99%\s+(\S+)`), wrkField(out, `Non-2xx or 3xx responses: (\d+)`), strings.TrimSpace(string(load)))
		}
	}
	if err := flush.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	var stored int64
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(clicks), 0) FROM link_clicks WHERE issue_id = $1`, is.ID).Scan(&stored); err != nil {
		b.Fatal(err)
	}
	b.Logf("redirects answered %d, clicks stored after the flush %d", answered.Load(), stored)
	if stored != answered.Load() {
		b.Errorf("stored %d clicks, answered %d redirects", stored, answered.Load())
	}
}

func wrkField(out []byte, re string) string {
	m := regexp.MustCompile(re).FindSubmatch(out)
	if m == nil {
		return "-"
	}
	return string(m[1])
}
