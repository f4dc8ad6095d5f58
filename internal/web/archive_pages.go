package web

import (
	"bulletin/internal/archivecache"
	"net/http"
	"strconv"
	"time"
)

type archiveYearView struct {
	Year   int
	Months []archiveMonthView
}

type archiveMonthView struct {
	Name   string // "November"
	URL    string
	Issues int
}

// handleIndex shows the latest issues, then every month with issues, by year.
func (a *archive) handleIndex(w http.ResponseWriter, r *http.Request) {
	if e := a.hit(r); e != nil {
		e.Serve(w, r)
		return
	}
	a.miss(w, r, a.buildIndex)
}

func (a *archive) buildIndex(r *http.Request) (archivecache.Response, bool, error) {
	nl, res, err := a.loadNewsletter(r)
	if res != nil || err != nil {
		return archiveAnswer(res), false, err
	}
	loc := archiveLocation(nl)
	latest, err := a.store.ArchiveLatest(r.Context(), nl.ID, archiveLatestN, 0)
	if err != nil {
		return archivecache.Response{}, false, err
	}
	months, err := a.store.ArchiveMonths(r.Context(), nl.ID, loc.String())
	if err != nil {
		return archivecache.Response{}, false, err
	}
	data := struct {
		Nav         archiveNav
		Description string
		Latest      []archiveIssueView
		Years       []archiveYearView
	}{Nav: archiveNavFor(nl), Description: nl.Description}
	data.Nav.Current = "archive"
	for _, is := range latest {
		data.Latest = append(data.Latest, archiveIssueViewOf(nl, loc, is))
	}
	for _, m := range months {
		if len(data.Years) == 0 || data.Years[len(data.Years)-1].Year != m.Year {
			data.Years = append(data.Years, archiveYearView{Year: m.Year})
		}
		y := &data.Years[len(data.Years)-1]
		y.Months = append(y.Months, archiveMonthView{Name: time.Month(m.Month).String(), URL: archiveMonthPath(nl.Slug, m.Year, m.Month), Issues: m.Issues})
	}
	page, err := a.pageResponse(http.StatusOK, "archive/index.html", nl.Name+" archive", data, archivePageCache, time.Time{})
	return page, err == nil, err
}

// handleMonth shows the issues sent in one month with their highlights.
func (a *archive) handleMonth(w http.ResponseWriter, r *http.Request) {
	if e := a.hit(r); e != nil {
		e.Serve(w, r)
		return
	}
	a.miss(w, r, a.buildMonth)
}

func (a *archive) buildMonth(r *http.Request) (archivecache.Response, bool, error) {
	nl, res, err := a.loadNewsletter(r)
	if res != nil || err != nil {
		return archiveAnswer(res), false, err
	}
	yyyy, mm := r.PathValue("yyyy"), r.PathValue("mm")
	year, yerr := strconv.Atoi(yyyy)
	month, merr := strconv.Atoi(mm)
	if len(yyyy) != 4 || len(mm) != 2 || yerr != nil || merr != nil || year < 1 || month < 1 || month > 12 {
		return a.notFoundResponse(r.Context(), nl, "No such month", "“"+yyyy+"/"+mm+"” is not a month. Month pages look like "+
			archiveMonthPath(nl.Slug, 2026, 11)+".")
	}
	loc := archiveLocation(nl)
	from := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, loc)
	label := from.Format("January 2006")
	issues, err := a.store.ArchiveMonthIssues(r.Context(), nl.ID, from, from.AddDate(0, 1, 0))
	if err != nil {
		return archivecache.Response{}, false, err
	}
	if len(issues) == 0 {
		return a.notFoundResponse(r.Context(), nl, "No issues in "+label, "No "+nl.Name+" was sent in "+label+".")
	}
	data := struct {
		Nav    archiveNav
		Month  string
		Issues []archiveIssueView
	}{Nav: archiveNavFor(nl), Month: label}
	for _, is := range issues {
		data.Issues = append(data.Issues, archiveIssueViewOf(nl, loc, is))
	}
	page, err := a.pageResponse(http.StatusOK, "archive/month.html", nl.Name+": "+label, data, archivePageCache, time.Time{})
	return page, err == nil, err
}
