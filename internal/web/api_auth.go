package web

import (
	"context"
	"net/http"
	"strings"

	"bulletin/internal/bulletin"
)

// TokenStore resolves API bearer tokens.
type TokenStore interface {
	// FindUserByToken returns the owner of a valid token, EUNAUTHORIZED
	// otherwise.
	FindUserByToken(ctx context.Context, token string) (*bulletin.User, error)
}

// bearerAuth puts the owner of an "Authorization: Bearer TOKEN" header in
// the context of every /api/ request, so that all API handlers, whoever
// wrote them, see the user through currentUser. A request without the
// header passes through unchanged (a session may have set the user); a bad
// token is refused here with 401, before any handler runs.
func (s *Server) bearerAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" || !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			s.unauthorized(w, r, bulletin.Errorf(bulletin.EUNAUTHORIZED, "Authorization must be: Bearer TOKEN"))
			return
		}
		if len(token) > 256 || s.Tokens == nil {
			s.unauthorized(w, r, bulletin.Errorf(bulletin.EUNAUTHORIZED, "invalid or revoked API token"))
			return
		}
		u, err := s.Tokens.FindUserByToken(r.Context(), token)
		if err != nil {
			s.unauthorized(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(withUser(r.Context(), u)))
	})
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, err error) {
	if bulletin.ErrorCode(err) == bulletin.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="bulletin"`)
	}
	s.apiError(w, r, err)
}

// roleRank orders roles so that "at least editor" is a comparison.
func roleRank(role string) int {
	switch role {
	case bulletin.RoleContributor:
		return 1
	case bulletin.RoleEditor:
		return 2
	case bulletin.RoleAdmin:
		return 3
	}
	return 0
}

// requireRole returns the current user when they hold at least role.
// Otherwise it answers 401 (nobody logged in) or 403 and returns nil.
func (s *Server) requireRole(w http.ResponseWriter, r *http.Request, role string) *bulletin.User {
	u := currentUser(r)
	switch {
	case u == nil:
		s.unauthorized(w, r, bulletin.Errorf(bulletin.EUNAUTHORIZED, "authentication required: send Authorization: Bearer TOKEN"))
		return nil
	case roleRank(u.Role) < roleRank(role):
		s.apiError(w, r, bulletin.Errorf(bulletin.EFORBIDDEN, "this needs the %s role", role))
		return nil
	}
	return u
}
