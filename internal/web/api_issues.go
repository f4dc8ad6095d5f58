package web

import (
	"context"
	"net/http"
	"strconv"

	"bulletin/internal/bulletin"
)

// issueJSON is an issue as the API shows it.
type issueJSON struct {
	*bulletin.Issue
	Items  []bulletin.Item `json:"items"`
	Counts bulletin.Counts `json:"counts"`
	// Progress adds the send rate, ETA and alarm state (api_delivery.go).
	Progress *bulletin.Progress `json:"progress,omitempty"`
}

// issueNumber parses {number}; a malformed one is an EINVALID error.
func issueNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n <= 0 {
		return 0, bulletin.Errorf(bulletin.EINVALID, "issue number must be a positive integer")
	}
	return n, nil
}

// handleIssueCompile compiles now: 201 with the issue, or 409 with the
// reason when there is nothing to compile. Body (optional): {"allow_empty": true}.
func (s *Server) handleIssueCompile(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AllowEmpty bool `json:"allow_empty"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	is, err := s.Compiler.Compile(r.Context(), r.PathValue("nl"), nil, in.AllowEmpty)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeIssue(w, r, http.StatusCreated, is)
}

func (s *Server) handleIssueList(w http.ResponseWriter, r *http.Request) {
	list, err := s.Issues.FindIssues(r.Context(), r.PathValue("nl"))
	if list == nil {
		list = []bulletin.Issue{}
	}
	s.answer(w, r, http.StatusOK, list, err)
}

func (s *Server) handleIssueGet(w http.ResponseWriter, r *http.Request) {
	is, ok := s.findIssue(w, r)
	if ok {
		s.writeIssue(w, r, http.StatusOK, is)
	}
}

func (s *Server) handleIssueCancel(w http.ResponseWriter, r *http.Request) {
	s.changeIssue(w, r, s.Issues.CancelIssue)
}

// handleIssueRender refreshes the stored snapshot after item edits made
// during the review window; 422 once sending started.
func (s *Server) handleIssueRender(w http.ResponseWriter, r *http.Request) {
	s.changeIssue(w, r, s.Issues.RenderIssueAgain)
}

// changeIssue runs change on {nl}/{number} and answers with the changed
// issue.
func (s *Server) changeIssue(w http.ResponseWriter, r *http.Request, change func(context.Context, string, int) (*bulletin.Issue, error)) {
	n, err := issueNumber(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	is, err := change(r.Context(), r.PathValue("nl"), n)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeIssue(w, r, http.StatusOK, is)
}

// findIssue loads {nl}/{number}, answering the request itself when it
// cannot.
func (s *Server) findIssue(w http.ResponseWriter, r *http.Request) (*bulletin.Issue, bool) {
	n, err := issueNumber(r)
	if err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	is, err := s.Issues.FindIssueByNumber(r.Context(), r.PathValue("nl"), n)
	if err != nil {
		s.apiError(w, r, err)
		return nil, false
	}
	return is, true
}

// writeIssue answers with the issue, its items and delivery counts.
func (s *Server) writeIssue(w http.ResponseWriter, r *http.Request, status int, is *bulletin.Issue) {
	items, err := s.Issues.FindIssueItems(r.Context(), is.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	counts, err := s.Issues.IssueCounts(r.Context(), is.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if items == nil {
		items = []bulletin.Item{}
	}
	out := issueJSON{Issue: is, Items: items, Counts: counts}
	if s.Delivery != nil && is.Status != bulletin.IssueDraft && is.Status != bulletin.IssueScheduled {
		if out.Progress, err = s.Delivery.IssueProgress(r.Context(), is.ID); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	writeJSON(w, status, out)
}
