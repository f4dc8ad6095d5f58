package web

import (
	"encoding/xml"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/internal/bulletin"
)

// Atom 1.0 (RFC 4287), just the elements the feed uses.
type archiveAtomFeed struct {
	XMLName   xml.Name           `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string             `xml:"id"`
	Title     string             `xml:"title"`
	Subtitle  string             `xml:"subtitle,omitempty"`
	Updated   string             `xml:"updated"`
	Links     []archiveAtomLink  `xml:"link"`
	Author    archiveAtomPerson  `xml:"author"`
	Generator string             `xml:"generator"`
	Entries   []archiveAtomEntry `xml:"entry"`
}

type archiveAtomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type archiveAtomPerson struct {
	Name string `xml:"name"`
}

type archiveAtomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type archiveAtomEntry struct {
	ID        string            `xml:"id"`
	Title     string            `xml:"title"`
	Published string            `xml:"published"`
	Updated   string            `xml:"updated"`
	Links     []archiveAtomLink `xml:"link"`
	Summary   archiveAtomText   `xml:"summary"`
	Content   archiveAtomText   `xml:"content"`
}

// handleFeed serves the newest sent issues as Atom. Ids are tag: URIs made
// of the base URL's host, the newsletter's creation year, its slug and the
// issue number, so they stay the same whatever else changes.
func (a *archive) handleFeed(w http.ResponseWriter, r *http.Request) {
	if e := a.hit(r); e != nil {
		e.Serve(w, r)
		return
	}
	a.miss(w, r, a.buildFeed)
}

func (a *archive) buildFeed(r *http.Request) (archivecache.Response, bool, error) {
	nl, res, err := a.loadNewsletter(r)
	if res != nil || err != nil {
		return archiveAnswer(res), false, err
	}
	issues, err := a.store.ArchiveLatest(r.Context(), nl.ID, archiveFeedN, 0)
	if err != nil {
		return archivecache.Response{}, false, err
	}
	updated := nl.CreatedAt
	if len(issues) > 0 {
		updated = issues[0].SentAt
	}
	body, err := xml.MarshalIndent(a.feed(nl, issues, updated), "", "  ")
	if err != nil {
		return archivecache.Response{}, false, err
	}
	return archivecache.Response{
		Status: http.StatusOK, ContentType: "application/atom+xml; charset=utf-8",
		Body: append([]byte(xml.Header), body...), Modified: updated,
		Header: http.Header{"X-Content-Type-Options": {"nosniff"}, "Cache-Control": {"public, max-age=300"}},
	}, true, nil
}

func (a *archive) feed(nl *bulletin.ArchiveNewsletter, issues []bulletin.ArchiveIssue, updated time.Time) *archiveAtomFeed {
	host := "localhost"
	if u, err := url.Parse(a.s.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	tag := "tag:" + host + "," + strconv.Itoa(nl.CreatedAt.Year()) + ":" + nl.Slug
	author := nl.FromName
	if author == "" {
		author = nl.Name
	}
	f := &archiveAtomFeed{
		ID: tag, Title: nl.Name, Subtitle: nl.Description, Updated: updated.UTC().Format(time.RFC3339),
		Links: []archiveAtomLink{
			{Rel: "self", Type: "application/atom+xml", Href: a.s.BaseURL + archivePath(nl.Slug) + "feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: a.s.BaseURL + archivePath(nl.Slug)},
		},
		Author:    archiveAtomPerson{Name: author},
		Generator: "Bulletin",
	}
	loc := archiveLocation(nl)
	for _, is := range issues {
		v := archiveIssueViewOf(nl, loc, is)
		link := a.s.BaseURL + v.URL
		when := is.SentAt.UTC().Format(time.RFC3339)
		f.Entries = append(f.Entries, archiveAtomEntry{
			ID: tag + "/" + strconv.Itoa(is.Number), Title: v.Subject, Published: when, Updated: when,
			Links:   []archiveAtomLink{{Rel: "alternate", Type: "text/html", Href: link}},
			Summary: archiveAtomText{Type: "text", Body: archiveSummary(is)},
			Content: archiveAtomText{Type: "html", Body: archiveHighlightsHTML(v, link)},
		})
	}
	return f
}

func archiveSummary(is bulletin.ArchiveIssue) string {
	if is.Preheader != "" {
		return is.Preheader
	}
	return strings.Join(is.Highlights, " · ")
}

// archiveHighlightsHTML is the entry content: the numbered highlights and a link
// to the issue, every value escaped (the XML encoder escapes it once more,
// as Atom's type="html" requires).
func archiveHighlightsHTML(v archiveIssueView, link string) string {
	var b strings.Builder
	b.WriteString("<p>" + html.EscapeString(v.Date) + "</p>")
	if len(v.Highlights) > 0 {
		b.WriteString("<ol>")
		for _, h := range v.Highlights {
			b.WriteString("<li>" + html.EscapeString(h) + "</li>")
		}
		b.WriteString("</ol>")
	}
	b.WriteString(`<p><a href="` + html.EscapeString(link) + `">Read issue ` + strconv.Itoa(v.Number) + `</a></p>`)
	return b.String()
}
