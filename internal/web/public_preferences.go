package web

import (
	"net/http"
	"strings"

	"bulletin/internal/bulletin"
)

type preferencesPage struct {
	Token string
	Prefs *bulletin.Preferences
	Saved bool
	Error string
}

func (s *Server) handlePreferencesForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		s.publicNotFound(w, r)
		return
	}
	p, err := s.Subscribers.FindPreferences(r.Context(), token)
	if err != nil {
		s.publicFailed(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, "public/preferences.html", Page{Title: "Your subscription", Data: preferencesPage{Token: token, Prefs: p}})
}

// handlePreferences saves the name and lists, or unsubscribes from all
// (action=unsubscribe-all). The form is same-origin only (CSRF).
func (s *Server) handlePreferences(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		s.publicNotFound(w, r)
		return
	}
	ip := clientIP(r)
	if !s.subs.byIP.Allow(r.Context(), rateKey(ip)) {
		s.publicTooMany(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	var err error
	if err = r.ParseForm(); err != nil {
		err = bulletin.Errorf(bulletin.EINVALID, "the form could not be read")
	} else if r.PostForm.Get("action") == "unsubscribe-all" {
		_, err = s.Subscribers.Unsubscribe(r.Context(), token)
	} else {
		_, err = s.Subscribers.SavePreferences(r.Context(), token, bulletin.PreferencesUpdate{
			Name: strings.TrimSpace(r.PostForm.Get("name")), Lists: r.PostForm["list"], IP: ip,
		})
	}
	status, data := http.StatusOK, preferencesPage{Token: token, Saved: err == nil}
	if bulletin.ErrorCode(err) == bulletin.EINVALID {
		status, data.Error = http.StatusBadRequest, bulletin.ErrorMessage(err)+". Nothing was changed."
	} else if err != nil {
		s.publicFailed(w, r, err)
		return
	}
	if data.Prefs, err = s.Subscribers.FindPreferences(r.Context(), token); err != nil {
		s.publicFailed(w, r, err)
		return
	}
	s.page(w, r, status, "public/preferences.html", Page{Title: "Your subscription", Data: data})
}
