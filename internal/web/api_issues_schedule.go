package web

import (
	"context"
	"net/http"
	"time"

	"bulletin/internal/bulletin"
)

// handleIssueScheduleAPI sets or moves an unsent issue's send time. Body:
// {"at": "2026-12-07T09:00:00+01:00"} (RFC 3339, with its offset); 422
// once sending started.
func (s *Server) handleIssueScheduleAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		At string `json:"at"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	at, err := time.Parse(time.RFC3339, in.At)
	if err != nil {
		s.apiError(w, r, bulletin.Errorf(bulletin.EINVALID, "at: must be a date and time in RFC 3339 form, like 2026-12-07T09:00:00+01:00"))
		return
	}
	s.changeIssue(w, r, func(ctx context.Context, nl string, n int) (*bulletin.Issue, error) {
		return s.Issues.ScheduleIssue(ctx, nl, n, at)
	})
}

// handleIssueUnscheduleAPI takes a scheduled issue back to draft.
func (s *Server) handleIssueUnscheduleAPI(w http.ResponseWriter, r *http.Request) {
	s.changeIssue(w, r, s.Issues.UnscheduleIssue)
}
