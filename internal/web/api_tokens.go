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
	var req struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	tok, rec, err := s.Accounts.IssueToken(r.Context(), bulletin.TokenRequest{Name: req.Name, Email: req.Email}, currentUser(r))
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
	ts, err := s.Accounts.FindTokens(r.Context(), currentUser(r).ID)
	if ts == nil {
		ts = []*bulletin.APIToken{}
	}
	s.answer(w, r, http.StatusOK, ts, err)
}

// handleAPITokenDelete revokes a token: one's own, or any for admins.
func (s *Server) handleAPITokenDelete(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "token")
	if err == nil {
		err = s.Accounts.RevokeToken(r.Context(), 0, id, currentUser(r))
	}
	s.answer(w, r, http.StatusNoContent, nil, err)
}
