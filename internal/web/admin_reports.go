package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/chart"
)

// dashboardWeeks is how many weeks of growth the dashboard shows.
const dashboardWeeks = 12

// chartBlock is a chart with the table of its figures (chart.part.html).
type chartBlock struct {
	ID      string
	SVG     template.HTML
	Caption string
	Head    []string
	Rows    [][]string
}

// growthView is one list's two charts: the active total, and the week's
// comings and goings.
type growthView struct {
	List, Name      string
	Active, Changes chartBlock
}

// growthViews draws each list's growth; prefix keeps ids unique on a page
// that shows several newsletters.
func growthViews(gs []bulletin.ListGrowth, prefix string) []growthView {
	out := make([]growthView, 0, len(gs))
	for _, g := range gs {
		id := prefix + "growth-" + g.List
		labels := make([]string, len(g.Weeks))
		var active, confirmed, unsubs, bounced []int64
		activeRows, changeRows := make([][]string, 0, len(g.Weeks)), make([][]string, 0, len(g.Weeks))
		for i, w := range g.Weeks {
			labels[i] = weekLabel(w.Week)
			active, confirmed = append(active, w.Active), append(confirmed, w.Confirmed)
			unsubs, bounced = append(unsubs, w.Unsubscribes), append(bounced, w.Bounced)
			activeRows = append(activeRows, []string{w.Week, fmtInt(w.Active)})
			row := []string{w.Week, fmtInt(w.Confirmed)}
			for _, how := range bulletin.LeftHows() {
				row = append(row, fmtInt(w.Unsubscribed[how]))
			}
			changeRows = append(changeRows, append(row, fmtInt(w.Bounced)))
		}
		head := append([]string{"Week from", "Confirmed"}, bulletin.LeftHows()...)
		v := growthView{List: g.List, Name: g.Name}
		v.Active = chartBlock{ID: id + "-active", Caption: "Active subscriptions of " + g.Name,
			Head: []string{"Week from", "Active at its end"}, Rows: activeRows,
			SVG: chart.Line(chart.Chart{ID: id + "-active-svg", Title: "Active subscriptions of " + g.Name + " by week",
				Desc:   fmt.Sprintf("Active memberships at the end of each of the last %d weeks; the table beside it has the figures.", len(g.Weeks)),
				Labels: labels, Series: []chart.Series{{Name: "Active", Class: "s0", Values: active}}})}
		v.Changes = chartBlock{ID: id + "-changes", Caption: "Weekly changes of " + g.Name,
			Head: append(head, "Bounced"), Rows: changeRows,
			SVG: chart.Bars(chart.Chart{ID: id + "-changes-svg", Title: "New confirmed subscriptions, unsubscribes and bounces of " + g.Name + " by week",
				Desc:   "Per week: memberships confirmed, unsubscribes of every kind and addresses marked bounced; the table gives unsubscribes by how.",
				Labels: labels, Series: []chart.Series{{Name: "Confirmed", Class: "s3", Values: confirmed},
					{Name: "Unsubscribed", Class: "s1", Values: unsubs}, {Name: "Bounced", Class: "s2", Values: bounced}}})}
		out = append(out, v)
	}
	return out
}

// weekLabel shortens 2026-11-02 to "2 Nov".
func weekLabel(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("2 Jan")
}

func fmtInt[T int | int64](v T) string { return strconv.FormatInt(int64(v), 10) }

type reportsView struct {
	Weeks       int
	Choices     []int // the weeks the page offers
	Newsletter  string
	Newsletters []*bulletin.Newsletter
	Issues      []bulletin.Issue // the newsletter's sent and sending issues, newest first
	Growth      []growthView
}

// handleReports is the Reports page: every list's growth, and the
// newsletter's sent issues with a link to each report.
func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) {
	weeks, err := growthWeeks(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	gs, err := s.Reports.NewsletterGrowth(r.Context(), "", weeks, time.Now())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := reportsView{Weeks: weeks, Choices: []int{4, 12, 26, 52, 104}, Growth: growthViews(gs, "")}
	if s.Issues != nil {
		if v.Newsletter, v.Newsletters, err = s.newsletterParam(r); err != nil {
			s.pageError(w, r, err)
			return
		}
		all, err := s.Issues.FindIssues(r.Context(), v.Newsletter)
		if err != nil && bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
			s.pageError(w, r, err)
			return
		}
		for _, is := range all {
			if is.Status == bulletin.IssueSent || is.Status == bulletin.IssueSending {
				v.Issues = append(v.Issues, is)
			}
		}
	}
	s.adminPage(w, r, http.StatusOK, "admin/reports.html", "Reports", v)
}

type reportView struct {
	Newsletter string
	R          *bulletin.IssueReport
	Highlights []bulletin.ItemClicks
	Days       chartBlock
	Window     time.Duration
}

// handleIssueReport is one issue's report page.
func (s *Server) handleIssueReport(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.issueReport(w, r)
	if !ok {
		return
	}
	v := reportView{Newsletter: r.PathValue("nl"), R: rep, Highlights: rep.Highlights(), Window: bulletin.UnsubscribeWindow}
	labels, values, rows := make([]string, len(rep.Days)), make([]int64, len(rep.Days)), make([][]string, len(rep.Days))
	for i, d := range rep.Days {
		labels[i], values[i] = weekLabel(d.Day), d.Clicks
		rows[i] = []string{d.Day, fmtInt(d.Clicks)}
	}
	v.Days = chartBlock{ID: "clicks-days", Caption: "Clicks per day", Head: []string{"Day (UTC)", "Clicks"}, Rows: rows,
		SVG: chart.Bars(chart.Chart{ID: "clicks-days-svg", Title: fmt.Sprintf("Clicks per day in the first week of issue %d", rep.Number),
			Desc:   "Clicks on the issue's links on each of the seven days from its send; the table beside it has the figures.",
			Labels: labels, Series: []chart.Series{{Name: "Clicks", Class: "s0", Values: values}}})}
	s.adminPage(w, r, http.StatusOK, "admin/report.html", fmt.Sprintf("Report on issue %d", rep.Number), v)
}

func (s *Server) issueReport(w http.ResponseWriter, r *http.Request) (*bulletin.IssueReport, bool) {
	n, ok := issueNum(w, r)
	if !ok {
		return nil, false
	}
	rep, err := s.Reports.IssueReport(r.Context(), r.PathValue("nl"), n)
	if err != nil {
		s.pageError(w, r, err)
		return nil, false
	}
	return rep, true
}

// handleIssueReportCSV exports the report as CSV: one row per figure, day,
// item and link (kind, name, item, url, value). Text cells are neutralised
// against spreadsheet formulas (bulletin.CSVCell).
func (s *Server) handleIssueReportCSV(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.issueReport(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d-report.csv"`, safeFilename(rep.Newsletter), rep.Number))
	cw := csv.NewWriter(w)
	rows := [][]string{{"kind", "name", "item", "url", "value"}}
	for _, f := range []struct {
		name string
		v    int64
	}{{"recipients", rep.Recipients}, {"delivered", rep.Delivered}, {"failed", rep.Failed}, {"bounced", rep.Bounced},
		{"complaints", rep.Complaints}, {"unsubscribes", rep.Unsubscribes}, {"clicks", rep.Clicks}, {"opens", rep.Opens}} {
		rows = append(rows, []string{"figure", f.name, "", "", fmtInt(f.v)})
	}
	for _, d := range rep.Days {
		rows = append(rows, []string{"day", d.Day, "", "", fmtInt(d.Clicks)})
	}
	for _, it := range rep.Items {
		rows = append(rows, []string{"item", bulletin.CSVCell(it.Title), fmtInt(it.Number), "", fmtInt(it.Clicks)})
	}
	for _, l := range rep.Links {
		item := ""
		if l.Item != nil {
			item = fmtInt(*l.Item)
		}
		rows = append(rows, []string{"link", fmtInt(l.Link), item, bulletin.CSVCell(l.URL), fmtInt(l.Clicks)})
	}
	if err := cw.WriteAll(rows); err != nil {
		s.Log.Warn("report csv", "err", err) // the client went away mid-answer
	}
}

// safeFilename keeps letters, digits, - and _ of a slug for a header.
func safeFilename(s string) string {
	b := []byte{}
	for _, c := range []byte(s) {
		if c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "issue"
	}
	return string(b)
}
