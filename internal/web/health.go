package web

import (
	"context"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// handleHealthz answers 200 only when the database answers within 2 s.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Health.Ping(ctx); err != nil {
		s.Log.Warn("healthz: database does not answer", "err", err)
		http.Error(w, "database unavailable\n", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// static serves the files of web/static/ (CSS, JS) with a day of
// caching, and no folder listings.
func (s *Server) static() http.Handler {
	sub, err := fs.Sub(s.Templates, "web/static")
	if err != nil {
		return http.NotFoundHandler()
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // folders are not listed
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}

// handleFavicon answers the /favicon.ico browsers ask for on every page
// with the SVG icon the pages also name in their <head>.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(s.Templates, "web/static/favicon.svg")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}
