package web

import (
	"net/http"
	"net/url"

	"bulletin/internal/bulletin"
)

// role wraps a logged-in page: anonymous users go to the login form (and
// come back after), users below min get 403. routes.go applies it from the
// route table.
func (s *Server) role(min string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adminHeaders(w)
		u := currentUser(r)
		if u == nil {
			next := ""
			if r.Method == http.MethodGet {
				next = "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, "/login"+next, http.StatusSeeOther)
			return
		}
		if !u.HasRole(min) {
			s.adminPage(w, r, http.StatusForbidden, "admin/forbidden.html", "Not allowed", nil)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// adminHeaders keep logged-in pages out of caches and frames, and allow
// only our own scripts and styles.
func adminHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
}

// adminView is what every admin template receives as .Data.
type adminView struct {
	Flash string
	Nav   adminNav
	D     any
}

// adminNav says which sections exist: a page whose store is not wired is
// left out of the navigation rather than shown as a stub.
type adminNav struct {
	Items, Issues, Newsletters, Lists, Subscribers, Users, Captured, Contribute, Inbound, Reports bool
	Settings                                                                                      bool // settings.go: own settings, invitations
}

func (s *Server) nav() adminNav {
	return adminNav{
		Captured:    s.Captured != nil,
		Items:       s.Items != nil && s.Newsletters != nil,
		Contribute:  s.Items != nil && s.Newsletters != nil,
		Inbound:     s.Inbound != nil,
		Reports:     s.Reports != nil,
		Issues:      s.Issues != nil && s.Compiler != nil,
		Users:       s.Accounts != nil,
		Settings:    s.Accounts != nil && s.AccountLinks != nil,
		Newsletters: s.Newsletters != nil,
		Lists:       s.Lists != nil && s.Subscribers != nil,
		Subscribers: s.Lists != nil && s.Subscribers != nil,
	}
}

// adminPage renders an admin or contributor page with the flash message and
// the navigation.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	adminHeaders(w)
	s.page(w, r, status, name, Page{Title: title + " · Bulletin", Data: adminView{Flash: s.popFlash(r), Nav: s.nav(), D: data}})
}

// pageError shows a domain error as a page with its status; internal errors
// are logged once here and shown without detail.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	if code == http.StatusInternalServerError {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.adminPage(w, r, code, "admin/error.html", errorTitle(code), errorView{Title: errorTitle(code), Message: bulletin.ErrorMessage(err)})
}

// back redirects to the page the form was on (same origin only), or to
// fallback.
func back(w http.ResponseWriter, r *http.Request, fallback string) {
	to := fallback
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		if p := safeNext(ref.RequestURI()); p != "" {
			to = p
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
