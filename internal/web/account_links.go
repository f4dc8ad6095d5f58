package web

import (
	"bulletin/internal/password"
	"net/http"
	"strings"
	"time"

	"bulletin/internal/bulletin"
)

// accountLimits bound "forgot password" requests, per address and per
// client IP, in the shared rate_limits table.
type accountLimits struct {
	forgotByEmail, forgotByIP *limiter
}

func (s *Server) newAccountLimits() accountLimits {
	return accountLimits{
		forgotByEmail: s.newLimiter("forgot-email", 3, time.Hour),
		forgotByIP:    s.newLimiter("forgot-ip", 10, time.Hour),
	}
}

// accountPage renders a page for someone not logged in (no session, so
// no flash).
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	adminHeaders(w)
	w.Header().Set("Referrer-Policy", "no-referrer") // the link's token stays out of Referer
	s.page(w, r, status, name, Page{Title: title + " · Bulletin", Data: adminView{Nav: s.nav(), D: data}})
}

// accountError is pageError for pages without a session.
func (s *Server) accountError(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	if code == http.StatusInternalServerError {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.accountPage(w, r, code, "admin/error.html", http.StatusText(code), bulletin.ErrorMessage(err))
}

type forgotView struct {
	Email, Error string
	Sent         bool
}

func (s *Server) handleForgotForm(w http.ResponseWriter, r *http.Request) {
	s.accountPage(w, r, http.StatusOK, "admin/forgot.html", "Forgot password", forgotView{})
}

// handleForgot records the request and answers the same for every
// address: whether it has an account is decided later, by the notifier
// service, so neither the page nor its timing tells. Requests count per
// address and per IP before anything else.
func (s *Server) handleForgot(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email := strings.TrimSpace(r.PostFormValue("email"))
	v := forgotView{Email: email}
	if email == "" || len(email) > bulletin.MaxEmailLen || !strings.Contains(email, "@") {
		v.Error = "Enter the email address you log in with."
		s.accountPage(w, r, http.StatusUnprocessableEntity, "admin/forgot.html", "Error: Forgot password", v)
		return
	}
	ctx := r.Context()
	ipOK, ipWait, err := s.acct.forgotByIP.hit(ctx, rateKey(clientIP(r)))
	if err != nil {
		s.accountError(w, r, err)
		return
	}
	emailOK, emailWait := false, time.Duration(0)
	if ipOK {
		if emailOK, emailWait, err = s.acct.forgotByEmail.hit(ctx, limitKey(strings.ToLower(email))); err != nil {
			s.accountError(w, r, err)
			return
		}
	}
	if !ipOK || !emailOK {
		s.Log.Warn("password reset rate limited", "ip", clientIP(r))
		retryAfter(w, max(ipWait, emailWait))
		v.Error = "Too many requests. Try again in an hour."
		s.accountPage(w, r, http.StatusTooManyRequests, "admin/forgot.html", "Error: Forgot password", v)
		return
	}
	if err := s.AccountLinks.RequestReset(ctx, email); err != nil {
		s.accountError(w, r, err)
		return
	}
	s.accountPage(w, r, http.StatusOK, "admin/forgot.html", "Forgot password", forgotView{Email: email, Sent: true})
}

type linkView struct {
	Purpose, Token, Email, Error string
	Invalid, Done                bool
}

// MinLen is the shortest password the form accepts, shown as a hint.
func (linkView) MinLen() int { return password.MinLen }

func linkTitle(purpose string) string {
	if purpose == bulletin.LinkInvite {
		return "Set your password"
	}
	return "Choose a new password"
}

// handleLinkForm shows the form of a usable invitation or reset link, and
// one "not valid" page for an unknown, used or expired one.
func (s *Server) handleLinkForm(purpose string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := r.PathValue("token")
		v := linkView{Purpose: purpose, Token: token}
		u, err := s.AccountLinks.CheckLink(r.Context(), purpose, token)
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			v.Invalid = true
			s.accountPage(w, r, http.StatusNotFound, "admin/set_password.html", "Link not valid", v)
			return
		} else if err != nil {
			s.accountError(w, r, err)
			return
		}
		v.Email = u.Email
		s.accountPage(w, r, http.StatusOK, "admin/set_password.html", linkTitle(purpose), v)
	}
}

// handleLinkUse sets the password through the link, which is then used
// up, and every session of the user ends.
func (s *Server) handleLinkUse(purpose string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		token := r.PathValue("token")
		v := linkView{Purpose: purpose, Token: token}
		pw, again := r.PostFormValue("password"), r.PostFormValue("password2")
		if pw != again {
			u, err := s.AccountLinks.CheckLink(r.Context(), purpose, token)
			if err == nil {
				v.Email = u.Email
			}
			v.Invalid = err != nil
			v.Error = "The two passwords differ. Type the same password twice."
			s.accountPage(w, r, http.StatusUnprocessableEntity, "admin/set_password.html", "Error: "+linkTitle(purpose), v)
			return
		}
		u, err := s.AccountLinks.UseLink(r.Context(), purpose, token, pw)
		switch bulletin.ErrorCode(err) {
		case "":
		case bulletin.ENOTFOUND:
			v.Invalid = true
			s.accountPage(w, r, http.StatusNotFound, "admin/set_password.html", "Link not valid", v)
			return
		case bulletin.EINVALID:
			if cu, err := s.AccountLinks.CheckLink(r.Context(), purpose, token); err == nil {
				v.Email = cu.Email
			}
			v.Error = bulletin.ErrorMessage(err)
			s.accountPage(w, r, http.StatusUnprocessableEntity, "admin/set_password.html", "Error: "+linkTitle(purpose), v)
			return
		default:
			s.accountError(w, r, err)
			return
		}
		s.Log.Info("password set by link", "purpose", purpose, "user_id", u.ID)
		v.Done, v.Email = true, u.Email
		s.accountPage(w, r, http.StatusOK, "admin/set_password.html", "Password set", v)
	}
}

type inviteView struct {
	Form  bulletin.User
	Roles []string
	Error string
}

func (s *Server) handleInviteForm(w http.ResponseWriter, r *http.Request) {
	s.adminPage(w, r, http.StatusOK, "admin/invite.html", "Invite a user", inviteView{Form: bulletin.User{Role: bulletin.RoleContributor}, Roles: roles})
}

// handleInvite queues the invitation. The answer names the address and
// says the same whether it already had an account.
func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f := bulletin.User{Email: strings.TrimSpace(r.PostFormValue("email")), Name: r.PostFormValue("name"), Role: r.PostFormValue("role")}
	if err := s.AccountLinks.Invite(r.Context(), f.Email, f.Name, f.Role, currentUser(r)); err != nil {
		code := statusOf(err)
		if code == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		s.adminPage(w, r, code, "admin/invite.html", "Error: Invite a user", inviteView{Form: f, Roles: roles, Error: bulletin.ErrorMessage(err)})
		return
	}
	s.flash(r, "Invitation sent to %s.", f.Email)
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}
