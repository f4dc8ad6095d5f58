package web

import (
	"net/http"
	"time"

	"bulletin/internal/bulletin"
)

// dashboardNL is one newsletter's state at a glance.
type dashboardNL struct {
	Newsletter      *bulletin.Newsletter
	NextRun         *time.Time // next scheduled compile, in the schedule's zone
	NextNumber      int
	Waiting, Ready  int // submitted items to review; approved ones for the next issue
	Last            *bulletin.Issue
	LastCounts      bulletin.Counts
	ScheduleProblem string
	Growth          []growthView // its lists' last weeks (admin_reports.go); nil without reports
}

// handleDashboard shows, per newsletter, the next compile time and issue
// number, the items waiting and the last issue's results. Parts whose
// store is not wired are left out.
func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	var out []dashboardNL
	if s.Items != nil && s.Newsletters != nil {
		nls, err := s.Newsletters.FindNewsletters(r.Context())
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		for _, n := range nls {
			d, err := s.dashboardFor(r, n)
			if err != nil {
				s.pageError(w, r, err)
				return
			}
			out = append(out, d)
		}
	}
	s.adminPage(w, r, http.StatusOK, "admin/dashboard.html", "Dashboard", out)
}

func (s *Server) dashboardFor(r *http.Request, n *bulletin.Newsletter) (dashboardNL, error) {
	d := dashboardNL{Newsletter: n, NextNumber: n.LastNumber + 1}
	if s.Reports != nil {
		gs, err := s.Reports.NewsletterGrowth(r.Context(), n.Slug, dashboardWeeks, time.Now())
		if err != nil {
			return d, err
		}
		d.Growth = growthViews(gs, n.Slug+"-")
	}
	if runs, err := nextRuns(n.Schedule, 1, time.Now()); err != nil {
		d.ScheduleProblem = err.Error()
	} else if len(runs) == 1 {
		d.NextRun = &runs[0]
	}
	ctx := r.Context()
	sub, err := s.Items.FindItems(ctx, bulletin.ItemFilter{Status: bulletin.ItemSubmitted, Newsletter: n.Slug, Unissued: true})
	if err != nil {
		return d, err
	}
	ready, err := s.Items.FindItems(ctx, bulletin.ItemFilter{Status: bulletin.ItemApproved, Newsletter: n.Slug, Unissued: true})
	if err != nil {
		return d, err
	}
	d.Waiting, d.Ready = len(sub), len(ready)
	if s.Issues == nil {
		return d, nil
	}
	issues, err := s.Issues.FindIssues(ctx, n.Slug)
	if err != nil || len(issues) == 0 {
		return d, err
	}
	d.Last = &issues[0]
	d.LastCounts, err = s.Issues.IssueCounts(ctx, d.Last.ID)
	return d, err
}
