package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"bulletin/internal/bulletin"

	"github.com/alexedwards/scs/v2"
)

// SessionUsers is who is calling: logins, sessions and API tokens. The
// password check lives with the users (one place for argon2id).
type SessionUsers interface {
	FindUserByID(ctx context.Context, id int64) (*bulletin.User, error)
	// Authenticate returns the user whose email and password match, and
	// an EUNAUTHORIZED error for a wrong email or password alike.
	Authenticate(ctx context.Context, email, password string) (*bulletin.User, error)
	// FindUserByToken returns the owner of a valid API token,
	// EUNAUTHORIZED otherwise.
	FindUserByToken(ctx context.Context, token string) (*bulletin.User, error)
}

const sessionUserKey = "user_id"

// newSessions returns the session manager for the admin UI, or nil when no
// store is set (a server without logins serves only public pages).
func (s *Server) newSessions() *scs.SessionManager {
	if s.Sessions == nil || s.Users == nil {
		return nil
	}
	sm := scs.New()
	sm.Store = s.Sessions
	sm.Lifetime = 7 * 24 * time.Hour
	sm.IdleTimeout = 12 * time.Hour
	sm.Cookie.Name = "bulletin_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = strings.HasPrefix(s.BaseURL, "https://")
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.Log.Error("session", "method", r.Method, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
	return sm
}

// needsSession reports whether r is one the session applies to: the logged-in
// pages, and API calls that carry no bearer token (the admin pages' own
// JavaScript polling progress; CSRF is covered by CrossOriginProtection).
// Public pages never touch the sessions table.
func needsSession(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/"):
		return r.Header.Get("Authorization") == ""
	case p == "/login", p == "/logout", p == "/contribute", strings.HasPrefix(p, "/contribute/"):
		return true
	default:
		return p == "/admin" || strings.HasPrefix(p, "/admin/")
	}
}

// sessionAuth loads the session of the requests that need one and puts its
// user in the context. A user deleted since login simply becomes anonymous.
func (s *Server) sessionAuth(next http.Handler) http.Handler {
	if s.sessions == nil {
		return next
	}
	sm := s.sessions
	withSession := sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(bulletin.NewContextWithSession(r.Context(), sm.Token(r.Context()))) // kept on a password change
		if id := sm.GetInt64(r.Context(), sessionUserKey); id != 0 && currentUser(r) == nil {
			u, err := s.Users.FindUserByID(r.Context(), id)
			switch bulletin.ErrorCode(err) {
			case "":
				r = r.WithContext(withUser(r.Context(), u))
			case bulletin.ENOTFOUND:
				sm.Remove(r.Context(), sessionUserKey)
			default:
				s.Log.Error("session: load user", "user_id", id, "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
		}
		next.ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if needsSession(r) {
			withSession.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// flash keeps a one-line message for the next page the user sees.
func (s *Server) flash(r *http.Request, format string, args ...any) {
	if s.sessions != nil {
		s.sessions.Put(r.Context(), "flash", fmt.Sprintf(format, args...))
	}
}

func (s *Server) popFlash(r *http.Request) string {
	if s.sessions == nil {
		return ""
	}
	return s.sessions.PopString(r.Context(), "flash")
}
