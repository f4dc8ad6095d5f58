package web

import (
	"net/http"
	"net/url"
)

// contributeInfo is the public "how to contribute" page of a newsletter.
type contributeInfo struct {
	Name       string
	Slug       string
	Email      string // contribution address; "" without inbound mail
	FormURL    string
	ArchiveURL string
}

// handleContributeInfo says how to contribute to newsletter {nl}: by email
// to its contribution address when inbound mail is set up, and with the
// form for those who have an account. Anyone may read it: the email
// footer's "Contribute an item" leads here, not to a login.
func (s *Server) handleContributeInfo(w http.ResponseWriter, r *http.Request) {
	nl, err := s.Newsletters.FindNewsletterBySlug(r.Context(), r.PathValue("nl"))
	if err != nil {
		s.publicNotFound(w, r)
		return
	}
	v := contributeInfo{Name: nl.Name, Slug: nl.Slug,
		FormURL:    "/contribute?newsletter=" + url.QueryEscape(nl.Slug),
		ArchiveURL: "/archive/" + url.PathEscape(nl.Slug) + "/"}
	if s.ContributeAddress != nil {
		v.Email = s.ContributeAddress(nl.Slug, nl.IsDefault)
	}
	s.page(w, r, http.StatusOK, "public/contribute.html", Page{Title: "Contribute to " + nl.Name, Data: v})
}
