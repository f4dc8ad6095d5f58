package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"bulletin/internal/archivecache"
	"bulletin/templates"
)

// BenchmarkArchiveHotPath is the CPU and allocations of one cached
// request inside the process, without the network: the whole handler
// (middleware, mux, cache, header values, body) against a handler writing
// the same headers and bytes and nothing else.
//
//	go test ./internal/web/ -run '^$' -bench ArchiveHotPath -benchmem
func BenchmarkArchiveHotPath(b *testing.B) {
	f := newArchiveFixture(b)
	seedArchive(f, "http://127.0.0.1:9")
	cache := archivecache.New(8 << 20)
	cache.Apply(1)
	srv := &Server{Health: f.db, Archive: f.db, ArchiveCache: cache, Templates: templates.Builtin(),
		BaseURL: "http://localhost:8080", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h, err := srv.Handler()
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/archive/weekly/5", "/archive/weekly/5/email", "/archive/weekly/search?q=budget"} {
		warm := httptest.NewRecorder()
		h.ServeHTTP(warm, httptest.NewRequest("GET", path, nil))
		if warm.Code != 200 {
			b.Fatalf("%s: %d", path, warm.Code)
		}
		body := warm.Body.Bytes()
		hdr := warm.Header().Clone()
		minimal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			wh := w.Header()
			for k, v := range hdr {
				wh[k] = v
			}
			w.WriteHeader(200)
			_, _ = w.Write(body)
		})
		for _, c := range []struct {
			name string
			h    http.Handler
		}{{"bulletin", h}, {"minimal", minimal}} {
			b.Run(path[len("/archive/weekly/"):]+"/"+c.name, func(b *testing.B) {
				req := httptest.NewRequest("GET", path, nil).WithContext(context.Background())
				w := &discardWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					w.h = make(http.Header) // net/http makes a new map for each response
					c.h.ServeHTTP(w, req)
				}
				if w.code != 200 || w.n != len(body) {
					b.Fatalf("%d, %d bytes", w.code, w.n)
				}
			})
		}
	}
}

// discardWriter is a ResponseWriter that keeps only the status and size.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header  { return w.h }
func (w *discardWriter) WriteHeader(code int) { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n = len(p)
	return len(p), nil
}
