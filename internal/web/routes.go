package web

import "net/http"

// routes lists every route of the service in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.Handle("GET /static/", s.static())
}
