package web

import (
	"net/http"
	"strings"

	"bulletin/internal/bulletin"
)

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
		if len(token) > 256 || s.Users == nil {
			s.unauthorized(w, r, bulletin.Errorf(bulletin.EUNAUTHORIZED, "invalid or revoked API token"))
			return
		}
		u, err := s.Users.FindUserByToken(r.Context(), token)
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

// apiRole wraps an API route: 401 when nobody is authenticated, 403 for
// users below min. routes.go applies it from the route table.
func (s *Server) apiRole(min string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r)
		switch {
		case u == nil:
			s.unauthorized(w, r, bulletin.Errorf(bulletin.EUNAUTHORIZED, "authentication required: send Authorization: Bearer TOKEN"))
		case !u.HasRole(min):
			s.apiError(w, r, bulletin.Errorf(bulletin.EFORBIDDEN, "this needs the %s role", min))
		default:
			h.ServeHTTP(w, r)
		}
	})
}
