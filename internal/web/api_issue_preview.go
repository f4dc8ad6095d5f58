package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

// handleIssuePreview shows the stored snapshot as a subscriber sees it,
// with neutral personal values ("Hi there," and inert "#" links), so that
// an editor can check exactly what will be or was sent. ?format=text shows
// the text part.
func (s *Server) handleIssuePreview(w http.ResponseWriter, r *http.Request) {
	is, ok := s.findIssue(w, r)
	if !ok {
		return
	}
	html, text := bulletin.NewPersonalizer(is.HTML, is.Text).Apply(bulletin.Personal{})
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Query().Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(text))
		return
	}
	// Contributed HTML is sanitised at submission and again at render; the
	// policy below is a last layer: no scripts, no frames, no forms.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; form-action 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(html))
}
