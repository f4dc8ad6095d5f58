package web

import (
	"net/http"
	"strconv"
	"time"

	"bulletin/internal/bulletin"
)

// defaultGrowthWeeks is how many weeks growth shows unless ?weeks= says.
const defaultGrowthWeeks = 26

// handleIssueReportAPI answers one issue's report (bulletin.IssueReport).
func (s *Server) handleIssueReportAPI(w http.ResponseWriter, r *http.Request) {
	n, err := issueNumber(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	rep, err := s.Reports.IssueReport(r.Context(), r.PathValue("nl"), n)
	s.answer(w, r, http.StatusOK, rep, err)
}

// handleListGrowthAPI answers a list's weeks, ?weeks=1…520 (26 unless given).
func (s *Server) handleListGrowthAPI(w http.ResponseWriter, r *http.Request) {
	weeks, err := growthWeeks(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	g, err := s.Reports.ListGrowth(r.Context(), r.PathValue("list"), weeks, time.Now())
	s.answer(w, r, http.StatusOK, g, err)
}

// growthWeeks parses ?weeks=; the store checks the range.
func growthWeeks(r *http.Request) (int, error) {
	v := r.URL.Query().Get("weeks")
	if v == "" {
		return defaultGrowthWeeks, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, bulletin.Errorf(bulletin.EINVALID, "weeks must be a whole number of weeks")
	}
	return n, nil
}
