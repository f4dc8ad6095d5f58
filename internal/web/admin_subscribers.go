package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"bulletin/internal/bulletin"
)

const subscribersPerPage = 50

type subscribersView struct {
	Query string
	Subs  []bulletin.SubscriberDetail
	Next  int64 // id to page on from; 0 = last page
	Lists []bulletin.List
	Form  struct {
		Email, Name, List string
		Confirmed         bool
	}
	Error string
}

// handleSubscribers searches by address, or pages through everyone.
func (s *Server) handleSubscribers(w http.ResponseWriter, r *http.Request) {
	v := subscribersView{Query: strings.TrimSpace(r.URL.Query().Get("email"))}
	v.Form.Confirmed = true
	s.subscribersPage(w, r, http.StatusOK, v)
}

func (s *Server) subscribersPage(w http.ResponseWriter, r *http.Request, status int, v subscribersView) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	var subs []bulletin.SubscriberDetail
	var err error
	if v.Query != "" && s.SubscriberRecords != nil { // part of an address or name
		subs, err = s.SubscriberRecords.SearchSubscribers(r.Context(), v.Query, subscribersPerPage)
	} else {
		subs, err = s.Subscribers.FindSubscribers(r.Context(), v.Query, after, subscribersPerPage)
	}
	if code := bulletin.ErrorCode(err); code == bulletin.EINVALID {
		v.Error, err = bulletin.ErrorMessage(err), nil
		status = http.StatusBadRequest
	}
	if err == nil {
		v.Lists, err = s.Lists.FindLists(r.Context())
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Subs = subs
	if v.Query == "" && len(subs) == subscribersPerPage {
		v.Next = subs[len(subs)-1].ID
	}
	s.adminPage(w, r, status, "admin/subscribers.html", "Subscribers", v)
}

// handleSubscriberAddForm puts an address on a list; unless "confirmed" is
// ticked it gets the double opt-in email like any other sign-up.
func (s *Server) handleSubscriberAddForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	var v subscribersView
	v.Form.Email, v.Form.Name, v.Form.List = strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("name"), r.PostFormValue("list")
	v.Form.Confirmed = r.PostFormValue("confirmed") == "on"
	res, err := s.Subscribers.AddSubscriber(r.Context(), bulletin.SubscribeRequest{List: v.Form.List, Email: v.Form.Email,
		Name: v.Form.Name, IP: clientIP(r), Confirmed: v.Form.Confirmed}, currentUser(r))
	if err != nil {
		v.Error = bulletin.ErrorMessage(err)
		s.subscribersPage(w, r, statusOf(err), v)
		return
	}
	msg := "%s is %s on %s."
	if res.ConfirmToken != "" {
		msg = "%s is %s on %s; a confirmation email is on its way."
	}
	s.flash(r, msg, res.Subscriber.Email, res.Status, res.List.Name)
	http.Redirect(w, r, "/admin/subscribers?email="+url.QueryEscape(res.Subscriber.Email), http.StatusSeeOther)
}

// handleSubscriberEraseForm removes a subscriber's personal data.
func (s *Server) handleSubscriberEraseForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if err := s.Subscribers.EraseSubscriber(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Subscriber erased: their address and name are gone.")
	http.Redirect(w, r, "/admin/subscribers", http.StatusSeeOther)
}

// handleSubscriberRecord shows one subscriber: lists and consent,
// deliveries, bounces and complaints.
func (s *Server) handleSubscriberRecord(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	rec, err := s.SubscriberRecords.SubscriberRecord(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	title := rec.Email
	if title == "" {
		title = "Erased subscriber"
	}
	s.adminPage(w, r, http.StatusOK, "admin/subscriber.html", title, rec)
}
