package web

import (
	"net/http"
	"strconv"
	"time"

	"bulletin/internal/bulletin"
)

// settingsView is a user's own settings page: name, password,
// notifications and API tokens.
type settingsView struct {
	U        *bulletin.User
	Prefs    bulletin.NotifyPrefs
	Tokens   []*bulletin.APIToken
	NewToken string // shown once, right after it was made
	Error    string
	ErrorFor string // "name", "password" or "token": the form the error is about
}

func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request) {
	s.settingsPage(w, r, http.StatusOK, settingsView{})
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, status int, v settingsView) {
	u := currentUser(r)
	var err error
	if v.U, err = s.Accounts.FindUserByID(r.Context(), u.ID); err == nil {
		if v.Prefs, err = s.AccountLinks.FindNotifyPrefs(r.Context(), u.ID); err == nil {
			v.Tokens, err = s.Accounts.FindTokens(r.Context(), u.ID)
		}
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	title := "Settings"
	if v.Error != "" {
		title = "Error: " + title
	}
	s.adminPage(w, r, status, "admin/settings.html", title, v)
}

// handleSettingsSave saves the name and the notification switches.
func (s *Server) handleSettingsSave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	u := currentUser(r)
	name := r.PostForm.Get("name")
	if _, err := s.Accounts.UpdateUser(r.Context(), u.ID, bulletin.UserUpdate{Name: &name}); err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		s.settingsPage(w, r, statusOf(err), settingsView{Error: bulletin.ErrorMessage(err), ErrorFor: "name"})
		return
	}
	on := func(k string) bool { return r.PostForm.Get(k) == "on" }
	p := bulletin.NotifyPrefs{Digest: on("digest"), Review: on("review"), Published: on("published"), SendReport: on("send_report")}
	cur, err := s.AccountLinks.FindNotifyPrefs(r.Context(), u.ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !u.CanEdit() { // switches the page does not show stay as they are
		p.Digest = cur.Digest
	}
	if !u.IsAdmin() {
		p.SendReport = cur.SendReport
	}
	if err := s.AccountLinks.SetNotifyPrefs(r.Context(), u.ID, p); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Settings saved.")
	http.Redirect(w, r, "/admin/settings", http.StatusSeeOther)
}

// handleSettingsPassword changes the user's own password after checking
// the current one. Every other session of the user ends (UpdateUser);
// this one stays.
func (s *Server) handleSettingsPassword(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	u := currentUser(r)
	cur, pw, again := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("password2")
	fail := func(status int, msg string) {
		s.settingsPage(w, r, status, settingsView{Error: msg, ErrorFor: "password"})
	}
	if pw != again {
		fail(http.StatusUnprocessableEntity, "The two new passwords differ. Type the same password twice.")
		return
	}
	ctx := r.Context()
	ok, wait, err := s.loginByEmail.hit(ctx, limitKey(u.Email)) // guessing the current password counts as logins do
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !ok {
		retryAfter(w, wait)
		fail(http.StatusTooManyRequests, "Too many wrong passwords. Try again in a few minutes.")
		return
	}
	if !s.hashes.TryEnter() {
		s.loginByEmail.giveBack(ctx, limitKey(u.Email))
		retryAfter(w, time.Second)
		fail(http.StatusServiceUnavailable, "The server is busy. Try again in a moment.")
		return
	}
	_, err = s.Users.Authenticate(ctx, u.Email, cur)
	s.hashes.Leave()
	if code := bulletin.ErrorCode(err); code == bulletin.EUNAUTHORIZED {
		fail(http.StatusUnprocessableEntity, "Your current password is not right.")
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.loginByEmail.reset(ctx, limitKey(u.Email))
	if _, err := s.Accounts.UpdateUser(ctx, u.ID, bulletin.UserUpdate{Password: &pw}); err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		fail(statusOf(err), bulletin.ErrorMessage(err))
		return
	}
	s.Log.Info("password changed", "user_id", u.ID)
	s.flash(r, "Password changed. You were logged out everywhere else.")
	http.Redirect(w, r, "/admin/settings", http.StatusSeeOther)
}

// handleSettingsTokenCreate answers with the page itself, so the new token
// is shown once and stored only as its hash.
func (s *Server) handleSettingsTokenCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	u := currentUser(r)
	token, _, err := s.Accounts.IssueToken(r.Context(), bulletin.TokenRequest{UserID: u.ID, Name: r.PostFormValue("name")}, u)
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		s.settingsPage(w, r, statusOf(err), settingsView{Error: bulletin.ErrorMessage(err), ErrorFor: "token"})
		return
	}
	s.settingsPage(w, r, http.StatusOK, settingsView{NewToken: token})
}

// handleSettingsTokenRevoke revokes one of the user's own tokens; another
// user's token is not found.
func (s *Server) handleSettingsTokenRevoke(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	tid, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if err := s.Accounts.RevokeToken(r.Context(), u.ID, tid, u); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Token revoked.")
	http.Redirect(w, r, "/admin/settings", http.StatusSeeOther)
}
