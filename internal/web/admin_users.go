package web

import (
	"net/http"
	"strconv"
	"strings"

	"bulletin/internal/bulletin"
)

var roles = []string{bulletin.RoleContributor, bulletin.RoleEditor, bulletin.RoleAdmin}

type usersView struct {
	Users []*bulletin.User
	Roles []string
	Form  bulletin.User // what was typed, after an error
	Error string
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	s.usersPage(w, r, http.StatusOK, usersView{Form: bulletin.User{Role: bulletin.RoleContributor}})
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, status int, v usersView) {
	var err error
	if v.Users, err = s.Accounts.FindUsers(r.Context()); err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Roles = roles
	s.adminPage(w, r, status, "admin/users.html", "Users", v)
}

func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	u := bulletin.User{Email: strings.TrimSpace(r.PostFormValue("email")), Name: r.PostFormValue("name"), Role: r.PostFormValue("role")}
	if err := s.Accounts.CreateUser(r.Context(), &u, r.PostFormValue("password")); err != nil {
		s.usersPage(w, r, statusOf(err), usersView{Form: u, Error: bulletin.ErrorMessage(err)})
		return
	}
	s.flash(r, "Added %s (%s).", u.Email, u.Role)
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

type userView struct {
	U        *bulletin.User
	Roles    []string
	Tokens   []*bulletin.APIToken
	NewToken string // shown once, right after it was made
	Error    string
	Self     bool
}

func (s *Server) handleUser(w http.ResponseWriter, r *http.Request) {
	s.userPage(w, r, http.StatusOK, userView{})
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request, status int, v userView) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var err error
	if v.U, err = s.Accounts.FindUserByID(r.Context(), id); err == nil {
		v.Tokens, err = s.Accounts.FindTokens(r.Context(), id)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Roles, v.Self = roles, currentUser(r).ID == id
	s.adminPage(w, r, status, "admin/user.html", v.U.Email, v)
}

// handleUserUpdate changes name and role, and the password when one is
// typed.
func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	name, role, pw := r.PostFormValue("name"), r.PostFormValue("role"), r.PostFormValue("password")
	upd := bulletin.UserUpdate{Name: &name, Role: &role, By: currentUser(r)}
	if pw != "" {
		upd.Password = &pw
	}
	u, err := s.Accounts.UpdateUser(r.Context(), id, upd)
	if err != nil {
		s.userPage(w, r, statusOf(err), userView{Error: bulletin.ErrorMessage(err)})
		return
	}
	s.flash(r, "Saved %s.", u.Email)
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) handleUserDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if err := s.Accounts.DeleteUser(r.Context(), id, currentUser(r)); err != nil {
		s.userPage(w, r, statusOf(err), userView{Error: bulletin.ErrorMessage(err)})
		return
	}
	s.flash(r, "User deleted; their items stay.")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

// handleTokenCreate answers with the page itself, not a redirect, so the
// new token is shown once and never stored anywhere but as its hash.
func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	token, _, err := s.Accounts.IssueToken(r.Context(), bulletin.TokenRequest{UserID: id, Name: r.PostFormValue("name")}, currentUser(r))
	if err != nil {
		s.userPage(w, r, statusOf(err), userView{Error: bulletin.ErrorMessage(err)})
		return
	}
	s.userPage(w, r, http.StatusOK, userView{NewToken: token})
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	tid, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if err := s.Accounts.RevokeToken(r.Context(), id, tid, currentUser(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Token revoked.")
	http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
