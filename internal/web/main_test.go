package web

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"bulletin/internal/pgtest"
	"bulletin/templates"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// serve starts s over real HTTP with the built-in templates (unless s has
// its own) and a silent logger; it is closed when the test ends.
func serve(t *testing.T, s *Server) *httptest.Server {
	t.Helper()
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.Templates == nil {
		s.Templates = templates.Builtin()
	}
	if s.BaseURL == "" {
		s.BaseURL = "http://localhost:8080"
	}
	h, err := s.Handler()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}
