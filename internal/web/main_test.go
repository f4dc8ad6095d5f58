package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/templates"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// wired returns a Server whose services are all db, as main wires them;
// compiling and sending are left to the tests that need them.
func wired(db *postgres.DB) *Server {
	return &Server{Health: db, Items: db, Issues: db, Newsletters: db, Lists: db, Subscribers: db, SubscriberRecords: db,
		Accounts: db, AccountLinks: db, Users: db, Captured: db, ImportJobs: db, Reports: db, Counting: db}
}

// serve starts s over real HTTP with the built-in templates (unless s has
// its own) and a silent logger; it is closed when the test ends.
func serve(t *testing.T, s *Server) *httptest.Server {
	t.Helper()
	return serveAs(t, s, nil)
}

// serveAs is serve with a stand-in for logins: who, when set, names the
// caller of each request (nil: anonymous).
func serveAs(t *testing.T, s *Server, who func(*http.Request) *bulletin.User) *httptest.Server {
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
	if who != nil {
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u := who(r); u != nil {
				r = r.WithContext(withUser(r.Context(), u))
			}
			next.ServeHTTP(w, r)
		})
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// asRole is a who for serveAs: every request is user 1 with role ("" for
// anonymous).
func asRole(role string) func(*http.Request) *bulletin.User {
	return func(*http.Request) *bulletin.User {
		if role == "" {
			return nil
		}
		return &bulletin.User{ID: 1, Email: role + "@example.org", Role: role}
	}
}
