package web

import (
	"context"
	"net/http"
	"strconv"

	"bulletin/internal/bulletin"
)

// AccountStore is what the users and tokens API needs.
type AccountStore interface {
	FindUsers(ctx context.Context) ([]*bulletin.User, error)
	FindUserByID(ctx context.Context, id int64) (*bulletin.User, error)
	FindUserByEmail(ctx context.Context, email string) (*bulletin.User, error)
	CreateUser(ctx context.Context, u *bulletin.User, password string) error
	UpdateUser(ctx context.Context, id int64, upd bulletin.UserUpdate) (*bulletin.User, error)
	DeleteUser(ctx context.Context, id int64) error
	CreateToken(ctx context.Context, userID int64, name string) (string, *bulletin.APIToken, error)
	FindTokens(ctx context.Context, userID int64) ([]*bulletin.APIToken, error)
	FindTokenByID(ctx context.Context, id int64) (*bulletin.APIToken, error)
	RevokeToken(ctx context.Context, id int64) error
}

func apiPathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, bulletin.Errorf(bulletin.ENOTFOUND, "%s not found", what)
	}
	return id, nil
}

func (s *Server) handleAPIUserList(w http.ResponseWriter, r *http.Request) {
	if s.requireRole(w, r, bulletin.RoleAdmin) == nil {
		return
	}
	us, err := s.Accounts.FindUsers(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, us)
}

func (s *Server) handleAPIUserCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireRole(w, r, bulletin.RoleAdmin) == nil {
		return
	}
	var req struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	u := &bulletin.User{Email: req.Email, Name: req.Name, Role: req.Role}
	if err := s.Accounts.CreateUser(r.Context(), u, req.Password); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, u)
}

// handleAPIUserPatch changes a user. Admins may not demote themselves, so an
// install cannot lose its last admin by accident.
func (s *Server) handleAPIUserPatch(w http.ResponseWriter, r *http.Request) {
	me := s.requireRole(w, r, bulletin.RoleAdmin)
	if me == nil {
		return
	}
	id, err := apiPathID(r, "user")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var upd bulletin.UserUpdate
	if err := decodeJSON(w, r, &upd); err != nil {
		s.apiError(w, r, err)
		return
	}
	if id == me.ID && upd.Role != nil && *upd.Role != bulletin.RoleAdmin {
		s.apiError(w, r, bulletin.Errorf(bulletin.EUNPROCESSABLE, "admins cannot change their own role"))
		return
	}
	u, err := s.Accounts.UpdateUser(r.Context(), id, upd)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) handleAPIUserDelete(w http.ResponseWriter, r *http.Request) {
	me := s.requireRole(w, r, bulletin.RoleAdmin)
	if me == nil {
		return
	}
	id, err := apiPathID(r, "user")
	if err == nil && id == me.ID {
		err = bulletin.Errorf(bulletin.EUNPROCESSABLE, "admins cannot delete themselves")
	}
	if err == nil {
		err = s.Accounts.DeleteUser(r.Context(), id)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
