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

// errorView is what the admin error page shows: what happened, what to do
// about it, and where to go back to.
type errorView struct {
	Title   string
	Message string
	Advice  string
	Back    string // URL; "" shows no link
	BackTo  string // link text
}

// errorTitle names an error page for people rather than by its status.
func errorTitle(code int) string {
	switch code {
	case http.StatusUnprocessableEntity, http.StatusConflict:
		return "That could not be done"
	case http.StatusBadRequest:
		return "Please check what you entered"
	case http.StatusNotFound:
		return "Not found"
	case http.StatusForbidden:
		return "Not allowed"
	}
	return http.StatusText(code)
}

// actionError shows a refused admin action: its status, the reason, that
// nothing changed, and a link back to the page it came from.
func (s *Server) actionError(w http.ResponseWriter, r *http.Request, err error, back, backTo string) {
	code := statusOf(err)
	if code == http.StatusInternalServerError {
		s.pageError(w, r, err)
		return
	}
	v := errorView{Title: errorTitle(code), Message: sentence(bulletin.ErrorMessage(err)), Back: back, BackTo: backTo,
		Advice: "Nothing was changed."}
	switch code {
	case http.StatusUnprocessableEntity, http.StatusConflict:
		v.Advice = "Nothing was changed. The page it came from shows the current state; reload it to see what you can still do."
	case http.StatusBadRequest:
		v.Advice = "Nothing was changed. Go back, correct it and try again."
	}
	s.adminPage(w, r, code, "admin/error.html", errorTitle(code), v)
}
