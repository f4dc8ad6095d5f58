package web

import "net/http"

type unsubscribePage struct {
	Token, Email, Status string
	Done                 bool
}

// handleUnsubscribePage shows the button and changes nothing: mail
// scanners and link previews fetch every URL in a message.
func (s *Server) handleUnsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		s.publicNotFound(w, r)
		return
	}
	sub, err := s.Subscribers.FindSubscriberByToken(r.Context(), token)
	if err != nil {
		s.publicFailed(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, "public/unsubscribe.html", Page{Title: "Unsubscribe",
		Data: unsubscribePage{Token: token, Email: sub.Email, Status: sub.Status}})
}

// handleUnsubscribe is the RFC 8058 one-click POST (body
// List-Unsubscribe=One-Click, form-encoded or multipart, from the mailbox
// provider with no cookie) and also the button of the page above. It
// takes effect at once, answers 200 directly (never a redirect) and can be
// repeated. CSRF protection is bypassed for this route in Handler.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		s.publicNotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if r.PostFormValue("List-Unsubscribe") != "One-Click" {
		s.publicMessage(w, r, http.StatusBadRequest, "Nothing was changed", message{
			Text:     "This request did not ask to unsubscribe (it lacks List-Unsubscribe=One-Click). Use the button on the unsubscribe page.",
			Link:     "/unsubscribe/" + token,
			LinkText: "Go to the unsubscribe page",
		})
		return
	}
	sub, err := s.Subscribers.Unsubscribe(r.Context(), token)
	if err != nil {
		s.publicFailed(w, r, err)
		return
	}
	s.Log.Info("unsubscribed", "subscriber", sub.ID)
	s.page(w, r, http.StatusOK, "public/unsubscribe.html", Page{Title: "Unsubscribed",
		Data: unsubscribePage{Token: token, Email: sub.Email, Status: sub.Status, Done: true}})
}
