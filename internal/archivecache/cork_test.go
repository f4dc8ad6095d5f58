//go:build linux

package archivecache

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// corkBody is an HTML-ish body of n bytes that gzip shrinks by about
// two thirds, so that its gzip copy is still larger than net/http's buffer.
func corkBody(n int) []byte {
	words := []string{"budget", "council", "<p>", "</p>", "meeting", "river", "school", "the", "of", "a", "road", "vote", "<br>", "park"}
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[rng.IntN(len(words))])
		b.WriteString(strconv.Itoa(rng.IntN(1000)))
		b.WriteByte(' ')
	}
	return b.Bytes()[:n]
}

// corkCase is one request of the byte-identity test.
type corkCase struct {
	name, path, method string
	header             []string
}

// corkServer serves a large, a medium (its tail stays in net/http's
// buffer after Write) and a small entry, recording through probe whether
// the connection was corked at each body write and after each response.
func corkServer(entries map[string]*Entry, probe func(r *http.Request) int) (http.Handler, *corkLog) {
	log := &corkLog{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pw := &probeWriter{ResponseWriter: w, r: r, probe: probe}
		entries[r.URL.Path].Serve(pw, r)
		log.add(r.Method+" "+r.URL.Path, pw.during, probe(r))
	}), log
}

type corkLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *corkLog) add(req string, during []int, after int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, fmt.Sprintf("%s during %v after %d", req, during, after))
}

func (l *corkLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.seen...)
}

// probeWriter reads the connection's cork at each Write. It wraps the
// ResponseWriter as a middleware would, so Serve's flush must find the
// connection's through Unwrap.
type probeWriter struct {
	http.ResponseWriter
	r      *http.Request
	probe  func(r *http.Request) int
	during []int
}

func (p *probeWriter) Write(b []byte) (int, error) {
	p.during = append(p.during, p.probe(p.r))
	return p.ResponseWriter.Write(b)
}

func (p *probeWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// rawExchange sends each case's request on one kept-alive connection and
// returns each raw response, its Date line blanked.
func rawExchange(t *testing.T, addr string, cases []corkCase) []string {
	t.Helper()
	return rawExchangeOn(t, addr, cases, nil)
}

// rawExchangeOn is rawExchange calling around, when set, with the
// connection before the first request and after the last response.
func rawExchangeOn(t *testing.T, addr string, cases []corkCase, around func(*net.TCPConn)) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if around != nil {
		around(c.(*net.TCPConn))
		defer around(c.(*net.TCPConn))
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // a hung server fails the test, not the run
	br := bufio.NewReader(c)
	var out []string
	for _, k := range cases {
		req := k.method + " " + k.path + " HTTP/1.1\r\nHost: x\r\n"
		for i := 0; i+1 < len(k.header); i += 2 {
			req += k.header[i] + ": " + k.header[i+1] + "\r\n"
		}
		if _, err := io.WriteString(c, req+"\r\n"); err != nil {
			t.Fatal(err)
		}
		tp := textproto.NewReader(br)
		status, err := tp.ReadLine()
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		hdr, err := tp.ReadMIMEHeader()
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		hdr.Del("Date")
		var raw bytes.Buffer
		raw.WriteString(status + "\r\n")
		_ = http.Header(hdr).Write(&raw)
		raw.WriteString("\r\n")
		if k.method != "HEAD" && !strings.Contains(status, " 304 ") {
			n, err := strconv.Atoi(hdr.Get("Content-Length"))
			if err != nil {
				t.Fatalf("%s: Content-Length %q", k.name, hdr.Get("Content-Length"))
			}
			if _, err := io.CopyN(&raw, br, int64(n)); err != nil {
				t.Fatalf("%s: body: %v", k.name, err)
			}
		}
		out = append(out, raw.String())
	}
	return out
}

// TestCorkedResponsesAreTheSameBytes serves the same entries from two
// servers on loopback, one keeping its connections for Serve to cork and
// one not, and compares every response byte for byte: GET, gzip, HEAD,
// 304, and a body whose tail net/http keeps buffered after Write.
func TestCorkedResponsesAreTheSameBytes(t *testing.T) {
	large, medium, small := corkBody(23_000), corkBody(5_000), corkBody(1_000)
	entries := map[string]*Entry{"/large": entry(string(large)), "/medium": entry(string(medium)), "/small": entry(string(small))}
	if !entries["/large"].plain.cork || entries["/large"].gz == nil || !entries["/large"].gz.cork || !entries["/medium"].plain.cork || entries["/small"].plain.cork {
		t.Fatal("the test entries are not the sizes it needs")
	}
	probe := func(r *http.Request) int { return corkOf(t, r) }
	corkedH, corkedLog := corkServer(entries, probe)
	plainH, plainLog := corkServer(entries, probe)
	corked := startServer(t, corkedH, WithConn)
	plain := startServer(t, plainH, nil)

	var cases []corkCase
	for _, p := range []string{"/large", "/medium", "/small"} {
		etag := entries[p].plain.etag
		cases = append(cases,
			corkCase{p + " GET", p, "GET", nil},
			corkCase{p + " gzip", p, "GET", []string{"Accept-Encoding", "gzip"}},
			corkCase{p + " HEAD", p, "HEAD", nil},
			corkCase{p + " HEAD gzip", p, "HEAD", []string{"Accept-Encoding", "gzip"}},
			corkCase{p + " 304", p, "GET", []string{"If-None-Match", etag, "If-Modified-Since", "Wed, 18 Nov 2026 09:00:00 GMT"}},
		)
	}
	got, want := rawExchange(t, corked, cases), rawExchange(t, plain, cases)
	for i, k := range cases {
		if got[i] != want[i] {
			t.Errorf("%s: corked response differs:\n%.300q\nwant\n%.300q", k.name, got[i], want[i])
		}
	}
	// The responses are right, not only the same.
	bodies := map[string][]byte{"/large": large, "/medium": medium, "/small": small}
	for i, k := range cases {
		_, body, _ := strings.Cut(got[i], "\r\n\r\n")
		switch {
		case k.method == "HEAD" || strings.HasSuffix(k.name, "304"):
			if body != "" || (strings.HasSuffix(k.name, "304") != strings.HasPrefix(got[i], "HTTP/1.1 304 ")) {
				t.Errorf("%s: %.80q…, %d body bytes", k.name, got[i], len(body))
			}
		case k.header != nil: // gzip
			zr, err := gzip.NewReader(strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", k.name, err)
			}
			un, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(un, bodies[k.path]) {
				t.Errorf("%s: gunzipped body differs (%v)", k.name, err)
			}
		default:
			if body != string(bodies[k.path]) {
				t.Errorf("%s: body differs", k.name)
			}
		}
	}
	// Both bodies over the buffer were written corked and uncorked after;
	// the small body, the medium one's gzip copy (1.7 KB) and the plain
	// server never corked.
	wantLog := []string{
		"GET /large during [1] after 0", "GET /large during [1] after 0", "HEAD /large during [] after 0", "HEAD /large during [] after 0", "GET /large during [] after 0",
		"GET /medium during [1] after 0", "GET /medium during [0] after 0", "HEAD /medium during [] after 0", "HEAD /medium during [] after 0", "GET /medium during [] after 0",
		"GET /small during [0] after 0", "GET /small during [0] after 0", "HEAD /small during [] after 0", "HEAD /small during [] after 0", "GET /small during [] after 0",
	}
	if got := corkedLog.lines(); strings.Join(got, "\n") != strings.Join(wantLog, "\n") {
		t.Errorf("corked server:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantLog, "\n"))
	}
	plainLines := plainLog.lines()
	for _, l := range plainLines {
		if strings.Contains(l, "[1]") || !strings.HasSuffix(l, "after 0") {
			t.Errorf("plain server corked: %s", l)
		}
	}
	if len(plainLines) != len(cases) {
		t.Errorf("plain server saw %d requests, want %d", len(plainLines), len(cases))
	}
}

// startServer serves h on a loopback port with connContext as its
// ConnContext and returns its address.
func startServer(t *testing.T, h http.Handler, connContext func(context.Context, net.Conn) context.Context) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ConnContext: connContext}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// TestServeWithoutATCPConnection writes a large entry to writers that have
// no TCP connection to cork: a recorder, a Unix socket and HTTP/2 over
// TLS, each with WithConn as its ConnContext where it has one.
func TestServeWithoutATCPConnection(t *testing.T) {
	body := corkBody(23_000)
	e := entry(string(body))
	if rec := serveEntry(e, "GET"); rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), body) {
		t.Errorf("recorder: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	serve := http.HandlerFunc(e.Serve)

	sock := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	us := &http.Server{Handler: serve, ConnContext: WithConn}
	go func() { _ = us.Serve(ln) }()
	t.Cleanup(func() { _ = us.Close() })
	uc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	checkGet(t, "unix socket", uc, "http://x/", body, 1)

	ts := httptest.NewUnstartedServer(serve)
	ts.EnableHTTP2 = true
	ts.Config.ConnContext = WithConn
	ts.StartTLS()
	t.Cleanup(ts.Close)
	checkGet(t, "HTTP/2 over TLS", ts.Client(), ts.URL, body, 2)
}

func checkGet(t *testing.T, name string, c *http.Client, url string, body []byte, proto int) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || resp.ProtoMajor != proto || !bytes.Equal(got, body) {
		t.Errorf("%s: %d %s, %d bytes (want %d), %v", name, resp.StatusCode, resp.Proto, len(got), len(body), err)
	}
}
