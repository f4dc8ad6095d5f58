package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/templates"

	"golang.org/x/sys/unix"
)

// BenchmarkArchiveAgainstNginx measures the archive served from memory
// against its limits, in one run on this machine:
//
//	go test ./internal/web/ -run '^$' -bench ArchiveAgainstNginx -benchtime 1x
//
// It seeds 200 sent issues of 12 items (a ~23 KB stored email), starts the
// real handler with its cache on loopback, copies the exact bytes it
// answers into files that Debian's nginx serves with the same headers,
// starts a minimal Go server writing the same bytes, and runs
// `wrk -t2 -c16 -d10s` against each in turn for the issue page, the email
// and a search; and against the same handler without a cache (every
// request queries PostgreSQL and renders). It prints every figure beside
// nginx's, the ratio and the load average. Without wrk or nginx it fails; it never skips.
func BenchmarkArchiveAgainstNginx(b *testing.B) {
	wrk, nginx := benchTools(b)
	f := seedBenchArchive(b, 23_000)
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cache := archivecache.New(64 << 20)
	watched := make(chan error, 1)
	go func() { watched <- archivecache.Watch(ctx, f.db, cache, 5*time.Second, log) }()
	b.Cleanup(func() { cancel(); <-watched })
	if err := cache.WaitVersion(ctx, 1); err != nil {
		b.Fatal(err)
	}
	srv := &Server{Health: f.db, Archive: f.db, ArchiveCache: cache, Templates: templates.Builtin(),
		BaseURL: "http://localhost:8080", Log: log}
	h, err := srv.Handler()
	if err != nil {
		b.Fatal(err)
	}
	ours := benchListen(b, h)
	// The same handler without a cache: every request queries and renders.
	plain := &Server{Health: f.db, Archive: f.db, Templates: templates.Builtin(), BaseURL: "http://localhost:8080", Log: log}
	ph, err := plain.Handler()
	if err != nil {
		b.Fatal(err)
	}
	uncached := benchListen(b, ph)

	// The gzip rows are what a browser gets (every browser asks for gzip;
	// wrk does not unless told): the same cached, precompressed bytes from
	// each server.
	type target struct {
		name, path, file string
		gzip             bool
	}
	targets := []target{
		{"issue page", "/archive/weekly/150", "issue", false},
		{"email", "/archive/weekly/150/email", "email", false},
		{"issue page, gzip", "/archive/weekly/150", "issue-gz", true},
		{"email, gzip", "/archive/weekly/150/email", "email-gz", true},
		{"search ?q=budget", "/archive/weekly/search?q=budget", "search", false},
	}
	dir := b.TempDir()
	html := filepath.Join(dir, "html")
	if err := os.MkdirAll(html, 0o755); err != nil {
		b.Fatal(err)
	}
	minimal := http.NewServeMux()
	var locations strings.Builder
	for _, t := range targets {
		req, err := http.NewRequest("GET", ours+t.path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if t.gzip { // set by hand, so the client leaves the body compressed
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if t.gzip != (resp.Header.Get("Content-Encoding") == "gzip") {
			b.Fatalf("%s: Content-Encoding %q", t.name, resp.Header.Get("Content-Encoding"))
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %d %v", t.path, resp.StatusCode, err)
		}
		if err := os.WriteFile(filepath.Join(html, t.file), body, 0o644); err != nil {
			b.Fatal(err)
		}
		// nginx and the minimal server send the same headers as ours.
		hdr := http.Header{}
		fmt.Fprintf(&locations, "    location = /%s {\n", t.file)
		for _, k := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Robots-Tag", "Cache-Control", "Vary", "Content-Encoding"} {
			if v := resp.Header.Get(k); v != "" {
				fmt.Fprintf(&locations, "        add_header %s %q;\n", k, v)
				hdr[k] = []string{v}
			}
		}
		for _, k := range []string{"Etag", "Last-Modified"} { // nginx makes its own
			if v := resp.Header.Get(k); v != "" {
				hdr[k] = []string{v}
			}
		}
		hdr["Content-Type"] = []string{resp.Header.Get("Content-Type")}
		hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
		locations.WriteString("    }\n")
		minimal.HandleFunc("/"+t.file, func(w http.ResponseWriter, r *http.Request) {
			wh := w.Header()
			for k, v := range hdr {
				wh[k] = v
			}
			_, _ = w.Write(body)
		})
		fmt.Printf("%-18s %6d bytes\n", t.name, len(body))
	}
	goURL := benchListen(b, minimal)
	nginxURL := benchNginx(b, nginx, dir, locations.String())

	// How many TCP segments with data carry one response, as the client
	// counts them: a wake-up of the reader each.
	fmt.Printf("\n%-18s %s\n", "request", "data segments per response (200 requests on one connection)")
	for _, t := range targets {
		var hdr []string
		if t.gzip {
			hdr = []string{"Accept-Encoding", "gzip"}
		}
		fmt.Printf("%-18s nginx %.2f, bulletin %.2f, minimal Go %.2f\n", t.name,
			benchSegments(b, nginxURL+"/"+t.file, hdr...), benchSegments(b, ours+t.path, hdr...), benchSegments(b, goURL+"/"+t.file, hdr...))
	}

	// The machine is shared, so its load moves under a run: each round
	// measures nginx and then each Go server right after it (in turns, which
	// goes first), and the share is taken within the round; the summary is
	// the median over rounds.
	rounds := benchRounds(b)
	// CPU per response, of the server and of wrk: steadier than req/s on
	// a shared machine. The Go servers share this process, but only one
	// is under load at a time.
	selfCPU := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	nginxCPU := func() time.Duration { return benchNginxCPU(b, dir) }
	fmt.Printf("\n%-18s %-5s %-12s %12s %10s %8s  %-16s %s\n", "request", "round", "server", "req/s", "p99", "share", "µs/resp srv+wrk", "load average")
	var summary strings.Builder
	for _, t := range targets {
		shares := map[string][]float64{}
		cpus := map[string][]respCPU{}
		rps := map[string][]float64{}
		var hdrs []string
		if t.gzip {
			hdrs = []string{"-H", "Accept-Encoding: gzip"}
		}
		for round := 1; round <= rounds; round++ {
			limit, cpu := benchWrkCPU(b, nginxCPU, wrk, nginxURL+"/"+t.file, hdrs...)
			fmt.Printf("%-18s %-5d %-12s %12.0f %10s %8s  %-16s %s\n", t.name, round, "nginx", limit.rps, limit.p99, "", cpu, limit.load)
			rps["nginx"] = append(rps["nginx"], limit.rps)
			cpus["nginx"] = append(cpus["nginx"], cpu)
			servers := []struct{ name, url string }{{"bulletin", ours + t.path}, {"minimal Go", goURL + "/" + t.file}}
			if round%2 == 0 { // neither Go server always runs first after nginx
				servers[0], servers[1] = servers[1], servers[0]
			}
			if round == 1 {
				servers = append(servers, struct{ name, url string }{"no cache", uncached + t.path})
			}
			for _, s := range servers {
				r, cpu := benchWrkCPU(b, selfCPU, wrk, s.url, hdrs...)
				fmt.Printf("%-18s %-5d %-12s %12.0f %10s %7.0f%%  %-16s %s\n", t.name, round, s.name, r.rps, r.p99, 100*r.rps/limit.rps, cpu, r.load)
				cpus[s.name] = append(cpus[s.name], cpu)
				shares[s.name] = append(shares[s.name], r.rps/limit.rps)
				rps[s.name] = append(rps[s.name], r.rps)
			}
			// Ours against Go's own floor, in the same round.
			n := len(rps["bulletin"]) - 1
			shares["of Go"] = append(shares["of Go"], rps["bulletin"][n]/rps["minimal Go"][n])
		}
		fmt.Fprintf(&summary, "%-18s median of %d: nginx %.0f req/s; bulletin %.0f req/s, %.0f%% of nginx, %.0f%% of minimal Go; minimal Go %.0f req/s, %.0f%% of nginx; no cache %.0f req/s\n",
			t.name, rounds, benchMedian(rps["nginx"]), benchMedian(rps["bulletin"]), 100*benchMedian(shares["bulletin"]), 100*benchMedian(shares["of Go"]),
			benchMedian(rps["minimal Go"]), 100*benchMedian(shares["minimal Go"]), benchMedian(rps["no cache"]))
		fmt.Fprintf(&summary, "%-18s CPU µs per response, server+wrk, median: nginx %s, bulletin %s, minimal Go %s\n", "",
			medianCPU(cpus["nginx"]), medianCPU(cpus["bulletin"]), medianCPU(cpus["minimal Go"]))
		b.ReportMetric(benchMedian(shares["bulletin"]), t.file+"-of-nginx")
		b.ReportMetric(benchMedian(rps["bulletin"]), t.file+"-req/s")
	}
	fmt.Print("\n", summary.String())
	st := cache.Stats()
	fmt.Printf("\ncache: %d entries, %d bytes, %d misses\n", st.Entries, st.Bytes, st.Misses)
}

// benchTools finds wrk and Debian's nginx; without either the benchmark
// fails rather than skips.
func benchTools(b *testing.B) (wrk, nginx string) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Fatalf("wrk is needed (apt-get install wrk): %v", err)
	}
	nginx, err = exec.LookPath("nginx")
	if err != nil {
		if nginx, err = exec.LookPath("/usr/sbin/nginx"); err != nil {
			b.Fatalf("nginx is needed (apt-get install nginx-light): %v", err)
		}
	}
	return wrk, nginx
}

// benchListen serves h on a loopback port like serve does (ConnContext
// included: it changes nothing for a handler that doesn't use it, such as
// the minimal server's) and returns its URL.
func benchListen(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ConnContext: ConnContext}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// benchNginx starts nginx on a free loopback port with a private prefix in
// dir, serving dir/html, and returns its URL.
func benchNginx(b *testing.B, bin, dir, locations string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := fmt.Sprintf(`%s
worker_processes auto;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type text/html;
    client_body_temp_path %[2]s/tmp;
    proxy_temp_path %[2]s/tmp;
    fastcgi_temp_path %[2]s/tmp;
    uwsgi_temp_path %[2]s/tmp;
    scgi_temp_path %[2]s/tmp;
    types { text/html html; }
    server {
        listen %[3]s;
        root %[2]s/html;
%[4]s    }
}
`, user, dir, addr, locations)
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		b.Fatal(err)
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("start nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	b.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); <-exited })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			b.Fatalf("nginx exited: %v\n%s", err, log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.Fatalf("nginx does not answer on %s", addr)
		}
	}
}

// benchSegments sends 200 GETs for url one after another on one
// connection and returns the TCP segments with data that the client
// received per response (tcpi_data_segs_in), with header: name, value….
func benchSegments(b *testing.B, url string, header ...string) float64 {
	const n = 200
	u, err := neturl.Parse(url)
	if err != nil {
		b.Fatal(err)
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n"
	for i := 0; i+1 < len(header); i += 2 {
		req += header[i] + ": " + header[i+1] + "\r\n"
	}
	req += "\r\n"
	br := bufio.NewReader(c)
	segs := func() uint32 {
		raw, err := c.(*net.TCPConn).SyscallConn()
		if err != nil {
			b.Fatal(err)
		}
		var info *unix.TCPInfo
		var ierr error
		if err := raw.Control(func(fd uintptr) { info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) }); err != nil || ierr != nil {
			b.Fatalf("TCP_INFO: %v %v", err, ierr)
		}
		return info.Data_segs_in
	}
	before := segs()
	for range n {
		if _, err := io.WriteString(c, req); err != nil {
			b.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%s: %d %v", url, resp.StatusCode, err)
		}
	}
	return float64(segs()-before) / n
}

type wrkResult struct {
	rps      float64
	p99      string
	load     string
	requests float64       // answered in the run
	wrkCPU   time.Duration // wrk's own CPU time
}

// respCPU is the CPU time per response of a server and of wrk, in µs.
type respCPU struct{ server, wrk float64 }

func (c respCPU) String() string { return fmt.Sprintf("%.1f+%.1f", c.server, c.wrk) }

func medianCPU(cs []respCPU) respCPU {
	var srv, w []float64
	for _, c := range cs {
		srv, w = append(srv, c.server), append(w, c.wrk)
	}
	return respCPU{benchMedian(srv), benchMedian(w)}
}

// benchWrkCPU runs benchWrk and returns with it the CPU per response of
// the server, as cpu counts it, and of wrk.
func benchWrkCPU(b *testing.B, cpu func() time.Duration, bin, url string, extra ...string) (wrkResult, respCPU) {
	before := cpu()
	r := benchWrk(b, bin, url, extra...)
	used := cpu() - before
	if r.requests == 0 {
		return r, respCPU{}
	}
	return r, respCPU{float64(used.Microseconds()) / r.requests, float64(r.wrkCPU.Microseconds()) / r.requests}
}

// benchNginxCPU is the CPU time used so far by the workers of the nginx
// that benchNginx started with its prefix in dir.
func benchNginxCPU(b *testing.B, dir string) time.Duration {
	pid, err := os.ReadFile(filepath.Join(dir, "nginx.pid"))
	if err != nil {
		b.Fatal(err)
	}
	p := strings.TrimSpace(string(pid))
	children, err := os.ReadFile("/proc/" + p + "/task/" + p + "/children")
	if err != nil {
		b.Fatal(err)
	}
	var ticks int64
	for _, c := range strings.Fields(string(children)) {
		stat, err := os.ReadFile("/proc/" + c + "/stat")
		if err != nil {
			b.Fatal(err)
		}
		fs := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		u, _ := strconv.ParseInt(fs[11], 10, 64) // utime and stime, fields 14 and 15
		s, _ := strconv.ParseInt(fs[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

// benchRounds is BULLETIN_BENCH_ROUNDS, the number of rounds to run (1).
func benchRounds(b *testing.B) int {
	v := os.Getenv("BULLETIN_BENCH_ROUNDS")
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("BULLETIN_BENCH_ROUNDS=%q: want a whole number ≥ 1", v)
	}
	return n
}

// benchDuration is BULLETIN_BENCH_DURATION, the length of each wrk run (10s).
func benchDuration() string {
	if d := os.Getenv("BULLETIN_BENCH_DURATION"); d != "" {
		return d
	}
	return "10s"
}

// benchWrk runs wrk -t2 -c16 --latency on url for benchDuration, with
// extra wrk arguments (-H for a header, -s for a script).
func benchWrk(b *testing.B, bin, url string, extra ...string) wrkResult {
	load, _ := os.ReadFile("/proc/loadavg")
	args := append([]string{"-t2", "-c16", "-d" + benchDuration(), "--latency"}, extra...)
	cmd := exec.Command(bin, append(args, url)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("wrk %s: %v\n%s", url, err, out)
	}
	r := wrkResult{wrkCPU: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	r.load = strings.Join(strings.Fields(string(load))[:3], " ")
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		switch {
		case len(fs) == 2 && fs[0] == "Requests/sec:":
			r.rps, err = strconv.ParseFloat(fs[1], 64)
		case len(fs) > 2 && fs[1] == "requests" && fs[2] == "in":
			r.requests, err = strconv.ParseFloat(fs[0], 64)
		case len(fs) == 2 && fs[0] == "99%":
			r.p99 = fs[1]
		case len(fs) > 0 && fs[0] == "Non-2xx":
			err = errors.New(sc.Text())
		case len(fs) > 0 && fs[0] == "Socket": // timeouts on an overloaded machine are a measurement
			r.load += " [" + strings.TrimSpace(sc.Text()) + "]"
		}
		if err != nil {
			b.Fatalf("wrk %s: %v\n%s", url, err, out)
		}
	}
	if r.rps == 0 || r.p99 == "" {
		b.Fatalf("wrk %s: no figures in\n%s", url, out)
	}
	return r
}

func benchMedian(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
