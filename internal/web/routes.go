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

	// Delivery (api_delivery.go) and Prometheus metrics, when main wired them.
	if s.Delivery != nil {
		mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/send", s.handleIssueSend)
		mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/test", s.handleIssueTest)
	}
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics)
	}
}
