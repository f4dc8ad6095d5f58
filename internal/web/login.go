package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

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
// fixation) and remembers the user. Attempts count per IP (20) and per
// email (5) in 15 minutes, in the shared store, BEFORE the password is
// hashed: the count each request gets back includes itself, so parallel
// requests cannot all pass one check. At most s.hashes checks run at once;
// beyond that the answer is 503 without hashing. A wrong email and a wrong
// password get the same answer.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	email := strings.TrimSpace(r.PostForm.Get("email"))
	data := loginData{Email: email, Next: safeNext(r.PostForm.Get("next"))}
	ip := clientIP(r)
	ipKey, emailKey := rateKey(ip), limitKey(strings.ToLower(email))
	ipOK, ipWait, err := s.loginByIP.hit(ctx, ipKey)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	emailOK, emailWait := false, time.Duration(0)
	if ipOK { // a blocked IP does not use up the address's attempts
		if emailOK, emailWait, err = s.loginByEmail.hit(ctx, emailKey); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	if !ipOK || !emailOK {
		s.Log.Warn("login rate limited", "ip", ip, "email", email)
		retryAfter(w, max(ipWait, emailWait))
		data.Error = "Too many failed attempts. Try again in a few minutes."
		s.adminPage(w, r, http.StatusTooManyRequests, "admin/login.html", "Log in", data)
		return
	}
	if !s.hashes.TryEnter() {
		s.loginByIP.giveBack(ctx, ipKey) // not tried: the attempt does not count
		s.loginByEmail.giveBack(ctx, emailKey)
		s.Log.Warn("login: every password check slot busy", "ip", ip, "slots", s.hashes.Cap())
		retryAfter(w, time.Second)
		data.Error = "The server is busy. Try again in a moment."
		s.adminPage(w, r, http.StatusServiceUnavailable, "admin/login.html", "Log in", data)
		return
	}
	u, err := s.Users.Authenticate(ctx, email, r.PostForm.Get("password"))
	s.hashes.Leave()
	switch code := bulletin.ErrorCode(err); {
	case code == bulletin.EUNAUTHORIZED || code == bulletin.ENOTFOUND || code == bulletin.EINVALID:
		data.Error = "Wrong email or password."
		s.adminPage(w, r, http.StatusUnauthorized, "admin/login.html", "Log in", data)
		return
	case err != nil:
		s.pageError(w, r, err)
		return
	}
	s.loginByEmail.reset(ctx, emailKey)
	s.loginByIP.giveBack(ctx, ipKey) // only failures use up the IP's attempts
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.sessions.Put(ctx, sessionUserKey, u.ID)
	s.Log.Info("login", "user_id", u.ID, "ip", ip)
	next := data.Next
	if next == "" {
		next = homeOf(u)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// limitKey bounds a user-typed rate-limit key: long ones are hashed.
func limitKey(s string) string {
	if len(s) <= bulletin.MaxEmailLen {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
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
