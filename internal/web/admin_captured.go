package web

import (
	"context"
	"net/http"
	"strconv"

	"bulletin/internal/capture"
)

// CapturedMessages is what the capture viewer needs: the messages the
// built-in SMTP capture kept (demo and development).
type CapturedMessages interface {
	FindCapturedMessages(ctx context.Context, limit int) ([]capture.Message, error)
	FindCapturedMessage(ctx context.Context, id int64) (*capture.Message, error)
}

type capturedView struct {
	Message *capture.Message
	Parts   mailParts
}

func (s *Server) handleCapturedList(w http.ResponseWriter, r *http.Request) {
	ms, err := s.Captured.FindCapturedMessages(r.Context(), 200)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.adminPage(w, r, http.StatusOK, "admin/captured.html", "Captured mail", ms)
}

func (s *Server) handleCapturedShow(w http.ResponseWriter, r *http.Request) {
	m, ok := s.capturedMessage(w, r)
	if !ok {
		return
	}
	s.adminPage(w, r, http.StatusOK, "admin/captured_message.html", m.Subject, capturedView{Message: m, Parts: parseMail(m.Data)})
}

// handleCapturedHTML serves the message's HTML part for the sandboxed
// iframe: no scripts, no forms, no plugins, whatever the mail contains.
func (s *Server) handleCapturedHTML(w http.ResponseWriter, r *http.Request) {
	m, ok := s.capturedMessage(w, r)
	if !ok {
		return
	}
	serveSandboxedHTML(w, parseMail(m.Data).HTML)
}

func (s *Server) capturedMessage(w http.ResponseWriter, r *http.Request) (*capture.Message, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return nil, false
	}
	m, err := s.Captured.FindCapturedMessage(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return nil, false
	}
	return m, true
}

// serveSandboxedHTML sends mail HTML to be framed by our own pages. The CSP
// sandbox holds even if someone opens the URL directly.
func serveSandboxedHTML(w http.ResponseWriter, html string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'; frame-ancestors 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.Write([]byte(html))
}
