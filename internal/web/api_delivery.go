package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

// handleIssueSend starts sending: 202, the sender pool does the rest.
func (s *Server) handleIssueSend(w http.ResponseWriter, r *http.Request) {
	n, err := issueNumber(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if _, err := s.Delivery.Send(r.Context(), r.PathValue("nl"), n); err != nil {
		s.apiError(w, r, err)
		return
	}
	is, err := s.Issues.FindIssueByNumber(r.Context(), r.PathValue("nl"), n)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeIssue(w, r, http.StatusAccepted, is)
}

// handleIssueTest sends one copy of the issue to {"email": …}.
func (s *Server) handleIssueTest(w http.ResponseWriter, r *http.Request) {
	n, err := issueNumber(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in struct {
		Email string `json:"email"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	if in.Email == "" {
		s.apiError(w, r, bulletin.Errorf(bulletin.EINVALID, "email is required"))
		return
	}
	reply, err := s.Delivery.SendTest(r.Context(), r.PathValue("nl"), n, in.Email)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"email": in.Email, "reply": reply})
}
