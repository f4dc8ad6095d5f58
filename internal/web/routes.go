package web

import "net/http"

// routes lists every route of the service in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.Handle("GET /static/", s.static())

	// Issues (api_issues.go): compile now, list, read, preview, cancel.
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues", s.handleIssueCompile)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues", s.handleIssueList)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues/{number}", s.handleIssueGet)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues/{number}/preview", s.handleIssuePreview)
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/cancel", s.handleIssueCancel)

	if a := s.newArchive(); a != nil { // the public archive (archive*.go)
		mux.HandleFunc("GET /{$}", a.handleRoot)
		mux.HandleFunc("GET /archive/{$}", a.handleRoot)
		mux.HandleFunc("GET /archive/{nl}/{$}", a.handleIndex)
		mux.HandleFunc("GET /archive/{nl}/{yyyy}/{mm}/{$}", a.handleMonth)
		mux.HandleFunc("GET /archive/{nl}/{number}", a.handleIssue)
		mux.HandleFunc("GET /archive/{nl}/{number}/email", a.handleEmail)
		mux.HandleFunc("GET /archive/{nl}/feed.atom", a.handleFeed)
		mux.HandleFunc("GET /archive/{nl}/search", a.handleSearch)
		mux.HandleFunc("GET /archive/{nl}/{rest...}", a.handleUnknown)
	}
}
