package web

import "net/http"

// routes lists every route of the service in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.Handle("GET /static/", s.static())

	// JSON API: items, newsletters, sections (bearer token or session).
	mux.Handle("POST /api/v1/items", s.bearerAuth(s.handleItemCreate))
	mux.Handle("GET /api/v1/items", s.bearerAuth(s.handleItemList))
	mux.Handle("GET /api/v1/items/{id}", s.bearerAuth(s.handleItemGet))
	mux.Handle("PATCH /api/v1/items/{id}", s.bearerAuth(s.handleItemPatch))
	mux.Handle("DELETE /api/v1/items/{id}", s.bearerAuth(s.handleItemDelete))
	mux.Handle("POST /api/v1/items/{id}/approve", s.bearerAuth(s.handleItemApprove))
	mux.Handle("POST /api/v1/items/{id}/reject", s.bearerAuth(s.handleItemReject))
	mux.Handle("GET /api/v1/newsletters", s.bearerAuth(s.handleNewsletterList))
	mux.Handle("POST /api/v1/newsletters", s.bearerAuth(s.handleNewsletterCreate))
	mux.Handle("GET /api/v1/newsletters/{nl}", s.bearerAuth(s.handleNewsletterGet))
	mux.Handle("PATCH /api/v1/newsletters/{nl}", s.bearerAuth(s.handleNewsletterPatch))
	mux.Handle("GET /api/v1/newsletters/{nl}/sections", s.bearerAuth(s.handleSectionList))
	mux.Handle("POST /api/v1/newsletters/{nl}/sections", s.bearerAuth(s.handleSectionCreate))
	mux.Handle("PATCH /api/v1/newsletters/{nl}/sections/{slug}", s.bearerAuth(s.handleSectionPatch))
}
