package web

import "net/http"

// routes lists every route of the service in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.Handle("GET /static/", s.static())

	// Issues (api_issues.go): compile now, list, read, preview, cancel, render again.
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues", s.handleIssueCompile)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues", s.handleIssueList)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues/{number}", s.handleIssueGet)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues/{number}/preview", s.handleIssuePreview)
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/cancel", s.handleIssueCancel)
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/render", s.handleIssueRender)

	// Items, newsletters, sections (api_items.go, api_newsletters.go, api_sections.go).
	mux.HandleFunc("POST /api/v1/items", s.handleItemCreate)
	mux.HandleFunc("GET /api/v1/items", s.handleItemList)
	mux.HandleFunc("GET /api/v1/items/{id}", s.handleItemGet)
	mux.HandleFunc("PATCH /api/v1/items/{id}", s.handleItemPatch)
	mux.HandleFunc("DELETE /api/v1/items/{id}", s.handleItemDelete)
	mux.HandleFunc("POST /api/v1/items/{id}/approve", s.handleItemApprove)
	mux.HandleFunc("POST /api/v1/items/{id}/reject", s.handleItemReject)
	mux.HandleFunc("GET /api/v1/newsletters", s.handleNewsletterList)
	mux.HandleFunc("POST /api/v1/newsletters", s.handleNewsletterCreate)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}", s.handleNewsletterGet)
	mux.HandleFunc("PATCH /api/v1/newsletters/{nl}", s.handleNewsletterPatch)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/sections", s.handleSectionList)
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/sections", s.handleSectionCreate)
	mux.HandleFunc("PATCH /api/v1/newsletters/{nl}/sections/{slug}", s.handleSectionPatch)
	mux.HandleFunc("GET /api/v1/users", s.handleUserList)
	mux.HandleFunc("POST /api/v1/users", s.handleUserCreate)
	mux.HandleFunc("PATCH /api/v1/users/{id}", s.handleUserPatch)
	mux.HandleFunc("DELETE /api/v1/users/{id}", s.handleUserDelete)
	mux.HandleFunc("GET /api/v1/tokens", s.handleTokenList)
	mux.HandleFunc("POST /api/v1/tokens", s.handleTokenCreate)
	mux.HandleFunc("DELETE /api/v1/tokens/{id}", s.handleTokenDelete)
}
