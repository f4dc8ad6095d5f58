package web

import (
	"net/http"
	"strconv"

	"bulletin/internal/bulletin"
)

// tokenCreated is the one answer that carries a token itself.
type tokenCreated struct {
	*bulletin.APIToken
	Token string `json:"token"`
}

// handleAPITokenCreate makes a token for the current user, or with "email"
// (admins only) for another user.
func (s *Server) handleAPITokenCreate(w http.ResponseWriter, r *http.Request) {
	me := s.requireRole(w, r, bulletin.RoleContributor)
	if me == nil {
		return
	}
	var req struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	owner := me
	if req.Email != "" {
		if !me.IsAdmin() {
			s.apiError(w, r, bulletin.Errorf(bulletin.EFORBIDDEN, "only admins create tokens for other users"))
			return
		}
		u, err := s.Accounts.FindUserByEmail(r.Context(), req.Email)
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			err = bulletin.Errorf(bulletin.EINVALID, "email: no user %q", req.Email)
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		owner = u
	}
	tok, rec, err := s.Accounts.CreateToken(r.Context(), owner.ID, req.Name)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/tokens/"+strconv.FormatInt(rec.ID, 10))
	writeJSON(w, http.StatusCreated, tokenCreated{APIToken: rec, Token: tok})
}

// handleAPITokenList lists the current user's tokens (never the tokens
// themselves).
func (s *Server) handleAPITokenList(w http.ResponseWriter, r *http.Request) {
	me := s.requireRole(w, r, bulletin.RoleContributor)
	if me == nil {
		return
	}
	ts, err := s.Accounts.FindTokens(r.Context(), me.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if ts == nil {
		ts = []*bulletin.APIToken{}
	}
	writeJSON(w, http.StatusOK, ts)
}

// handleAPITokenDelete revokes a token: one's own, or any for admins.
func (s *Server) handleAPITokenDelete(w http.ResponseWriter, r *http.Request) {
	me := s.requireRole(w, r, bulletin.RoleContributor)
	if me == nil {
		return
	}
	id, err := apiPathID(r, "token")
	var t *bulletin.APIToken
	if err == nil {
		t, err = s.Accounts.FindTokenByID(r.Context(), id)
	}
	if err == nil && t.UserID != me.ID && !me.IsAdmin() {
		err = bulletin.Errorf(bulletin.ENOTFOUND, "token not found")
	}
	if err == nil {
		err = s.Accounts.RevokeToken(r.Context(), id)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
