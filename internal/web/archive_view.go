package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/internal/bulletin"
)

// archiveNav is the part of every archive page that links around it.
type archiveNav struct {
	Name         string
	IndexURL     string
	SearchURL    string
	FeedURL      string
	PrivacyURL   string // what the newsletter counts (privacy.go)
	SubscribeURL string // "" when the newsletter has no public list
	Query        string // the search box's current text
	Brand        *Brand // logo, accent and organisation line
}

func archiveNavFor(nl *bulletin.ArchiveNewsletter) archiveNav {
	n := archiveNav{
		Name:       nl.Name,
		IndexURL:   archivePath(nl.Slug),
		SearchURL:  archivePath(nl.Slug) + "search",
		FeedURL:    archivePath(nl.Slug) + "feed.atom",
		PrivacyURL: "/privacy/" + url.PathEscape(nl.Slug),
		Brand:      brandOf(nl.Slug, nl.Name, nl.Brand),
	}
	if nl.SubscribeTo != "" {
		n.SubscribeURL = "/subscribe/" + url.PathEscape(nl.SubscribeTo)
	}
	return n
}

// issueView is one issue in a listing or on its page.
type archiveIssueView struct {
	Number     int
	Subject    string
	Date       string // "18 November 2026" in the newsletter's zone
	ISODate    string
	URL        string
	Highlights []string
}

func archiveIssueViewOf(nl *bulletin.ArchiveNewsletter, loc *time.Location, is bulletin.ArchiveIssue) archiveIssueView {
	t := is.SentAt.In(loc)
	subject := is.Subject
	if subject == "" {
		subject = nl.Name + " " + strconv.Itoa(is.Number)
	}
	return archiveIssueView{
		Number:     is.Number,
		Subject:    subject,
		Date:       t.Format("2 January 2006"),
		ISODate:    t.Format(time.RFC3339),
		URL:        archiveIssuePath(nl.Slug, is.Number),
		Highlights: is.Highlights,
	}
}

func archiveIssuePath(slug string, number int) string {
	return archivePath(slug) + strconv.Itoa(number)
}

func archiveMonthPath(slug string, year, month int) string {
	return archivePath(slug) + strconv.Itoa(year) + "/" + archiveTwoDigits(month) + "/"
}

func archiveTwoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// notFoundData is what the archive's 404 page shows: what was missing and
// where to go instead.
type archiveNotFoundData struct {
	Nav     *archiveNav
	Heading string
	Message string
	Latest  *archiveIssueView
}

// notFound answers 404 with notFoundResponse's page.
func (a *archive) notFound(w http.ResponseWriter, r *http.Request, nl *bulletin.ArchiveNewsletter, heading, msg string) {
	res, _, err := a.notFoundResponse(r.Context(), nl, heading, msg)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	archivecache.NewEntry(res, false).Serve(w, r)
}
