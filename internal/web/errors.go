package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

// statusOf maps a domain error code to its HTTP status: the one place where
// that mapping lives.
func statusOf(err error) int {
	switch bulletin.ErrorCode(err) {
	case bulletin.EINVALID:
		return http.StatusBadRequest
	case bulletin.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case bulletin.EFORBIDDEN:
		return http.StatusForbidden
	case bulletin.ENOTFOUND:
		return http.StatusNotFound
	case bulletin.ECONFLICT:
		return http.StatusConflict
	case bulletin.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case bulletin.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case bulletin.ERATELIMIT:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// apiError writes err as {"error": "…"} with its status. Internal errors are
// logged here, once, and shown only as "internal error".
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	if code == http.StatusInternalServerError {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, code, map[string]string{"error": bulletin.ErrorMessage(err)})
}
