// Package render turns one issue into its subject, HTML and text parts. The
// templates are parsed once at start-up; each issue is rendered once and its
// CSS inlined once with go-premailer. Per-recipient parts stay placeholders
// (bulletin.Placeholder*), filled in later by bulletin.Personalizer.
package render

import (
	"strconv"
	"strings"
	"time"

	"bulletin/internal/bulletin"
)

// DefaultSection is the heading of items that belong to no section.
const DefaultSection = "Also this week"

// Issue is what the templates need to render one issue. It is render's own
// input so that render depends on no store.
type Issue struct {
	NewsletterName  string
	SubjectTemplate string // text/template; "" uses email/subject.txt
	Number          int
	Date            time.Time // the issue date, already in the newsletter's zone
	Intro           string    // plain text; blank lines separate paragraphs
	Preheader       string    // "" derives one from the highlights
	Items           []Item    // in issue order; the closing item last
	ArchiveURL      string    // this issue on the public archive
	ArchiveIndexURL string
	ContributeURL   string
	PrivacyURL      string         // what the newsletter counts and keeps about readers
	Brand           bulletin.Brand // logo, accent and organisation line; validated by the store
}

// Item is one entry of the issue. Items of one section are adjacent.
type Item struct {
	Section  string // heading; "" puts it under DefaultSection
	Kind     string // bulletin.KindArticle or bulletin.KindLink
	Title    string // plain text
	BodyHTML string // sanitised HTML; sanitised again here as a second layer
	URL      string
	Source   string // plain text attribution
	Date     time.Time
	Closing  bool
}

// Output is the rendered snapshot stored on the issue.
type Output struct {
	Subject   string
	Preheader string
	HTML      string // CSS inlined, with personal placeholders
	Text      string // with personal placeholders
}

// FromDomain builds the render input from domain rows: items must already be
// in issue order. baseURL (no trailing slash) is used for archive and
// contribute links; "" leaves them out.
func FromDomain(nl *bulletin.Newsletter, number int, date time.Time, sections []bulletin.Section, items []bulletin.Item, baseURL string) Issue {
	names := make(map[int64]string, len(sections))
	for _, s := range sections {
		names[s.ID] = s.Name
	}
	in := Issue{
		NewsletterName:  nl.Name,
		SubjectTemplate: nl.SubjectTemplate,
		Number:          number,
		Date:            date,
		Intro:           nl.Intro,
		Brand:           nl.Brand,
	}
	if baseURL = strings.TrimRight(baseURL, "/"); baseURL != "" {
		in.ArchiveIndexURL = baseURL + "/archive/" + nl.Slug + "/"
		in.ArchiveURL = in.ArchiveIndexURL + strconv.Itoa(number)
		in.ContributeURL = baseURL + "/contribute/" + nl.Slug
		in.PrivacyURL = baseURL + "/privacy/" + nl.Slug
	}
	for _, it := range items {
		v := Item{Kind: it.Kind, Title: it.Title, BodyHTML: it.BodyHTML, URL: it.URL,
			Source: it.Source, Date: it.CreatedAt, Closing: it.Closing}
		if it.SectionID != nil {
			v.Section = names[*it.SectionID]
		}
		in.Items = append(in.Items, v)
	}
	return in
}
