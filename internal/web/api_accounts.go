package web

import (
	"net/http"
	"strconv"

	"bulletin/internal/bulletin"
)

func apiPathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, bulletin.Errorf(bulletin.ENOTFOUND, "%s not found", what)
	}
	return id, nil
}

func (s *Server) handleAPIUserList(w http.ResponseWriter, r *http.Request) {
	us, err := s.Accounts.FindUsers(r.Context())
	s.answer(w, r, http.StatusOK, us, err)
}

func (s *Server) handleAPIUserCreate(w http.ResponseWriter, r *http.Request) {
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

func (s *Server) handleAPIUserPatch(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "user")
	var upd bulletin.UserUpdate
	if err == nil {
		err = decodeJSON(w, r, &upd)
	}
	var u *bulletin.User
	if err == nil {
		upd.By = currentUser(r)
		u, err = s.Accounts.UpdateUser(r.Context(), id, upd)
	}
	s.answer(w, r, http.StatusOK, u, err)
}

func (s *Server) handleAPIUserDelete(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "user")
	if err == nil {
		err = s.Accounts.DeleteUser(r.Context(), id, currentUser(r))
	}
	s.answer(w, r, http.StatusNoContent, nil, err)
}
