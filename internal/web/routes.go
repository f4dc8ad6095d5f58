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
}
