package web

import (
	"net/http"
	"time"

	"bulletin/internal/bulletin"
)

// newsletterJSON shows send_delay as a Go duration string ("17h0m0s").
type newsletterJSON struct {
	*bulletin.Newsletter
	SendDelay string `json:"send_delay"`
}

func toNewsletterJSON(n *bulletin.Newsletter) newsletterJSON {
	if n.Lists == nil {
		n.Lists = []string{}
	}
	return newsletterJSON{Newsletter: n, SendDelay: n.SendDelay.String()}
}

// newsletterRequest is the body of POST and PATCH; absent fields are nil.
type newsletterRequest struct {
	Slug            *string   `json:"slug"`
	Name            *string   `json:"name"`
	Description     *string   `json:"description"`
	FromName        *string   `json:"from_name"`
	FromEmail       *string   `json:"from_email"`
	ReplyTo         *string   `json:"reply_to"`
	Schedule        *string   `json:"schedule"`
	SubjectTemplate *string   `json:"subject_template"`
	Intro           *string   `json:"intro"`
	AutoSend        *bool     `json:"auto_send"`
	SendDelay       *string   `json:"send_delay"`
	Lists           *[]string `json:"lists"`
	IsDefault       *bool     `json:"is_default"`
	WelcomeEmail    *bool     `json:"welcome_email"`
	LogoURL         *string   `json:"logo_url"`
	AccentColor     *string   `json:"accent_color"`
	OrgName         *string   `json:"org_name"`
	OrgAddress      *string   `json:"org_address"`
}

func (q *newsletterRequest) update() (bulletin.NewsletterUpdate, error) {
	upd := bulletin.NewsletterUpdate{Slug: q.Slug, Name: q.Name, Description: q.Description, FromName: q.FromName,
		FromEmail: q.FromEmail, ReplyTo: q.ReplyTo, Schedule: q.Schedule, SubjectTemplate: q.SubjectTemplate,
		Intro: q.Intro, AutoSend: q.AutoSend, Lists: q.Lists, IsDefault: q.IsDefault, WelcomeEmail: q.WelcomeEmail,
		LogoURL: q.LogoURL, AccentColor: q.AccentColor, OrgName: q.OrgName, OrgAddress: q.OrgAddress}
	if q.SendDelay != nil {
		d, err := time.ParseDuration(*q.SendDelay)
		if err != nil {
			return upd, bulletin.Errorf(bulletin.EINVALID, "send_delay: %q is not a duration like \"16h\" or \"90m\"", *q.SendDelay)
		}
		upd.SendDelay = &d
	}
	return upd, nil
}

func (s *Server) handleNewsletterList(w http.ResponseWriter, r *http.Request) {
	ns, err := s.Newsletters.FindNewsletters(r.Context())
	out := make([]newsletterJSON, 0, len(ns))
	for _, n := range ns {
		out = append(out, toNewsletterJSON(n))
	}
	s.answer(w, r, http.StatusOK, out, err)
}

func (s *Server) handleNewsletterGet(w http.ResponseWriter, r *http.Request) {
	n, err := s.Newsletters.FindNewsletterBySlug(r.Context(), r.PathValue("nl"))
	s.answerNewsletter(w, r, http.StatusOK, n, err)
}

func (s *Server) handleNewsletterCreate(w http.ResponseWriter, r *http.Request) {
	var req newsletterRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	upd, err := req.update()
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	n := &bulletin.Newsletter{WelcomeEmail: true} // as the column's default
	if req.Slug != nil {
		n.Slug = *req.Slug
	}
	upd.Apply(n)
	if err := s.Newsletters.CreateNewsletter(r.Context(), n); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/newsletters/"+n.Slug)
	writeJSON(w, http.StatusCreated, toNewsletterJSON(n))
}

func (s *Server) handleNewsletterPatch(w http.ResponseWriter, r *http.Request) {
	var req newsletterRequest
	var upd bulletin.NewsletterUpdate
	err := decodeJSON(w, r, &req)
	if err == nil {
		upd, err = req.update()
	}
	var n *bulletin.Newsletter
	if err == nil {
		n, err = s.Newsletters.UpdateNewsletter(r.Context(), r.PathValue("nl"), upd)
	}
	s.answerNewsletter(w, r, http.StatusOK, n, err)
}

func (s *Server) answerNewsletter(w http.ResponseWriter, r *http.Request, status int, n *bulletin.Newsletter, err error) {
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, status, toNewsletterJSON(n))
}
