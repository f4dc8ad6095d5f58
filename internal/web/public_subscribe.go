package web

import (
	"net/http"
	"strings"

	"bulletin/internal/bulletin"
)

// maxFormBytes bounds a public form's body.
const maxFormBytes = 64 << 10

type subscribePage struct {
	List        *bulletin.List
	Email, Name string
	Error       string
	Done        bool
}

// message is the data of public/message.html.
type message struct {
	Text, Link, LinkText string
}

// publicMessage renders a one-paragraph page: not found, expired, too many
// requests and the like.
func (s *Server) publicMessage(w http.ResponseWriter, r *http.Request, status int, title string, m message) {
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "60")
	}
	s.page(w, r, status, "public/message.html", Page{Title: title, Data: m})
}

func (s *Server) publicNotFound(w http.ResponseWriter, r *http.Request) {
	s.publicMessage(w, r, http.StatusNotFound, "Link not found",
		message{Text: "This link is not valid. It may be incomplete (check that it was not split across two lines), or it may have been replaced by a newer one."})
}

func (s *Server) publicTooMany(w http.ResponseWriter, r *http.Request) {
	s.publicMessage(w, r, http.StatusTooManyRequests, "Too many requests",
		message{Text: "We received too many requests from you or for this address. Please wait a few minutes and try again."})
}

// publicFailed answers a store error on a public page: its own page for
// not found, a plain 500 (logged once) for the rest.
func (s *Server) publicFailed(w http.ResponseWriter, r *http.Request, err error) {
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		s.publicNotFound(w, r)
		return
	}
	s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.publicMessage(w, r, http.StatusInternalServerError, "Something went wrong",
		message{Text: "We could not do this just now. Please try again in a few minutes."})
}

// publicList returns the public list named in the path, or answers 404.
func (s *Server) publicList(w http.ResponseWriter, r *http.Request) *bulletin.List {
	l, err := s.Lists.FindListBySlug(r.Context(), r.PathValue("list"))
	if err == nil && !l.Public {
		err = bulletin.Errorf(bulletin.ENOTFOUND, "list not found")
	}
	if err != nil {
		s.publicFailed(w, r, err)
		return nil
	}
	return l
}

func (s *Server) handleSubscribeForm(w http.ResponseWriter, r *http.Request) {
	if l := s.publicList(w, r); l != nil {
		s.page(w, r, http.StatusOK, "public/subscribe.html", Page{Title: l.Name, Data: subscribePage{List: l}})
	}
}

// handleSubscribe answers the same page whether the address was new,
// pending, active, unsubscribed or blocked, and mails in the background,
// so that nothing tells who is subscribed.
func (s *Server) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	if !s.subs.byIP.Allow(r.Context(), rateKey(ip)) {
		s.publicTooMany(w, r)
		return
	}
	l := s.publicList(w, r)
	if l == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.page(w, r, http.StatusBadRequest, "public/subscribe.html", Page{Title: l.Name,
			Data: subscribePage{List: l, Error: "The form could not be read. Please try again."}})
		return
	}
	data := subscribePage{List: l, Email: r.PostForm.Get("email"), Name: strings.TrimSpace(r.PostForm.Get("name"))}
	email, err := bulletin.NormalizeEmail(data.Email)
	if err == nil {
		err = bulletin.CheckName("name", data.Name)
	}
	if err != nil {
		data.Error = bulletin.ErrorMessage(err)
		s.page(w, r, http.StatusBadRequest, "public/subscribe.html", Page{Title: l.Name, Data: data})
		return
	}
	if !s.subs.byAddr.Allow(r.Context(), bulletin.FoldEmail(email)) {
		s.publicTooMany(w, r)
		return
	}
	_, err = s.Subscribers.Subscribe(r.Context(), bulletin.SubscribeRequest{
		List: l.Slug, Email: email, Name: data.Name, Method: bulletin.ConsentForm, IP: ip, Public: true,
	})
	switch {
	case err == nil:
		// the store queued any confirmation email with the subscription
	case bulletin.ErrorCode(err) == bulletin.EUNPROCESSABLE:
		// bounced or blocklisted: say nothing different
	default:
		s.publicFailed(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, "public/subscribe.html", Page{Title: l.Name, Data: subscribePage{List: l, Done: true}})
}

// confirmPage is the confirmation page: the button that confirms.
type confirmPage struct{ Token, Email, List string }

// handleConfirmPage shows what the link confirms and a button, and changes
// nothing. The contract has GET /confirm/{token} confirm at once, but mail
// scanners and link previews fetch every URL in a message, which would
// confirm addresses their owners never saw: double opt-in would prove
// nothing. Confirming takes the button's POST.
func (s *Server) handleConfirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		s.publicNotFound(w, r)
		return
	}
	res, err := s.Subscribers.FindConfirmation(r.Context(), token)
	switch {
	case err != nil:
		s.confirmFailed(w, r, err)
	case res.Status == bulletin.SubscriptionActive:
		s.confirmed(w, r, res)
	default:
		s.page(w, r, http.StatusOK, "public/confirm.html", Page{Title: "Confirm your subscription",
			Data: confirmPage{Token: token, Email: res.Subscriber.Email, List: res.List.Name}})
	}
}

// handleConfirm confirms a pending subscription (the page's button). An
// expired link changes nothing and says how to get a new one.
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		s.publicNotFound(w, r)
		return
	}
	res, err := s.Subscribers.ConfirmSubscription(r.Context(), token, clientIP(r))
	if err != nil {
		s.confirmFailed(w, r, err)
		return
	}
	s.confirmed(w, r, res)
}

func (s *Server) confirmFailed(w http.ResponseWriter, r *http.Request, err error) {
	if bulletin.ErrorCode(err) == bulletin.EUNPROCESSABLE {
		s.publicMessage(w, r, http.StatusGone, "This link has expired", message{
			Text: "Confirmation links work for 48 hours, and this one is older. Nothing was changed: subscribe again and we will send you a new link."})
		return
	}
	s.publicFailed(w, r, err)
}

func (s *Server) confirmed(w http.ResponseWriter, r *http.Request, res *bulletin.SubscribeResult) {
	s.publicMessage(w, r, http.StatusOK, "Subscription confirmed", message{
		Text:     res.Subscriber.Email + " is now subscribed to " + res.List.Name + ". Thank you!",
		Link:     "/preferences/" + res.Subscriber.Token,
		LinkText: "Manage your subscription",
	})
}
