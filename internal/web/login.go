package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"bulletin/internal/bulletin"
)

type loginData struct {
	Email, Next, Error string
}

// handleLoginForm shows the login form, or sends a logged-in user on.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if u := currentUser(r); u != nil {
		http.Redirect(w, r, homeOf(u), http.StatusSeeOther)
		return
	}
	s.adminPage(w, r, http.StatusOK, "admin/login.html", "Log in", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// handleLogin checks the password, renews the session token (no session
// fixation) and remembers the user. Failures count per IP and per email;
// a wrong email and a wrong password get the same answer.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	data := loginData{Email: email, Next: safeNext(r.PostForm.Get("next"))}
	ip := clientIP(r)
	emailKey := "email:" + strings.ToLower(email)
	if s.loginByIP.blocked("ip:"+ip) || s.loginByEmail.blocked(emailKey) {
		s.Log.Warn("login rate limited", "ip", ip, "email", email)
		data.Error = "Too many failed attempts. Try again in a few minutes."
		s.adminPage(w, r, http.StatusTooManyRequests, "admin/login.html", "Log in", data)
		return
	}
	u, err := s.Users.Authenticate(r.Context(), email, r.PostForm.Get("password"))
	switch code := bulletin.ErrorCode(err); {
	case code == bulletin.EUNAUTHORIZED || code == bulletin.ENOTFOUND || code == bulletin.EINVALID:
		s.loginByIP.fail("ip:" + ip)
		s.loginByEmail.fail(emailKey)
		data.Error = "Wrong email or password."
		s.adminPage(w, r, http.StatusUnauthorized, "admin/login.html", "Log in", data)
		return
	case err != nil:
		s.pageError(w, r, err)
		return
	}
	s.loginByEmail.reset(emailKey)
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionUserKey, u.ID)
	s.Log.Info("login", "user_id", u.ID, "ip", ip)
	next := data.Next
	if next == "" {
		next = homeOf(u)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// homeOf is where a user lands after login.
func homeOf(u *bulletin.User) string {
	if u.CanEdit() {
		return "/admin/"
	}
	return "/contribute"
}

// safeNext keeps only same-site paths, so the login form is no open
// redirect.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

// clientIP is the peer address. Forwarded headers are not trusted: a proxy
// in front makes every client one IP, which limits more, never less.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
