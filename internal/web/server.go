// Package web serves Bulletin over HTTP: the public archive and subscriber
// pages, the admin UI and the JSON API. Every route is in routes.go. The
// package declares the small interfaces it needs; main wires the store in.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
)

// Pinger is what /healthz needs.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds the dependencies of every handler. Fields are set by main.
type Server struct {
	Log       *slog.Logger
	BaseURL   string // public URL, no trailing slash
	Templates fs.FS  // templates/ (web/… is used here)
	Health    Pinger
}

// Handler returns the root handler with every route and middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return s.recoverer(s.logRequests(mux))
}
