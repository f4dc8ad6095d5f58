package render

import (
	"html/template"
	"strconv"
	"strings"

	"bulletin/internal/bulletin"

	"github.com/inbucket/html2text"
	"github.com/microcosm-cc/bluemonday"
)

// page is the data both the HTML and the text template execute against.
type page struct {
	Title          string
	NewsletterName string
	Number         int
	Date           string
	Preheader      string
	PreheaderPad   []struct{} // how many &zwnj;&nbsp; pairs follow the preheader
	Intro          []string
	Highlights     []*pageItem
	Sections       []*pageSection
	Closing        *pageItem
	// Placeholders, replaced per recipient after inlining.
	Name, Unsubscribe, Preferences string
	ArchiveURL, ArchiveIndexURL    string
	ContributeURL, PrivacyURL      string
	// The newsletter's brand; "" where it has none.
	LogoURL, Accent, AccentText string
	OrgName, OrgAddress         string // the address on one line
}

type pageSection struct {
	Name   string
	Blocks []*pageBlock
}

// pageBlock is a run of items rendered alike: articles in full, or links as
// a round-up with one line each.
type pageBlock struct {
	Links bool
	Items []*pageItem
}

type pageItem struct {
	Number   int
	Anchor   string // item-N: Gmail and Outlook follow only name= anchors
	Title    string
	Body     template.HTML
	BodyText string
	URL      string
	Source   string
	Byline   string // "source, date" for round-up lines
	Closing  bool   // the closing item: its highlight reads "Lastly, …"
}

// Rule underlines a heading in the text part.
func (p *page) Rule(s string) string { return strings.Repeat("=", len([]rune(s))) }

// Title formats the issue title: "Weekly update 61 — 18 November 2026".
func title(in Issue) string {
	return in.NewsletterName + " " + strconv.Itoa(in.Number) + " — " + in.Date.Format("2 January 2006")
}

func newPage(in Issue, policy *bluemonday.Policy) (*page, error) {
	p := &page{
		Title:          title(in),
		NewsletterName: in.NewsletterName,
		Number:         in.Number,
		Date:           in.Date.Format("2 January 2006"),
		Intro:          paragraphs(in.Intro),
		Name:           bulletin.PlaceholderName,
		Unsubscribe:    bulletin.PlaceholderUnsubscribeURL,
		Preferences:    bulletin.PlaceholderPreferencesURL,
		ArchiveURL:     in.ArchiveURL, ArchiveIndexURL: in.ArchiveIndexURL,
		ContributeURL: in.ContributeURL,
		PrivacyURL:    in.PrivacyURL,
		PreheaderPad:  make([]struct{}, 40),
		LogoURL:       in.Brand.LogoURL,
		Accent:        in.Brand.AccentColor,
		AccentText:    in.Brand.AccentText(),
		OrgName:       in.Brand.OrgName,
		OrgAddress:    strings.Join(in.Brand.AddressLines(), ", "),
	}
	var sec *pageSection
	for i, it := range in.Items {
		body := policy.Sanitize(it.BodyHTML)
		text, err := html2text.FromString(body, html2text.Options{})
		if err != nil {
			return nil, err
		}
		pi := &pageItem{Number: i + 1, Anchor: "item-" + strconv.Itoa(i+1), Title: it.Title,
			Body: template.HTML(body), BodyText: strings.TrimSpace(text), URL: it.URL, Source: it.Source}
		pi.Byline = byline(it)
		p.Highlights = append(p.Highlights, pi)
		if it.Closing && i == len(in.Items)-1 {
			// Only the last item can close the issue; the store orders
			// closing items last, and any extra one reads as a normal item.
			pi.Closing = true
			p.Closing = pi
			continue
		}
		name := it.Section
		if name == "" {
			name = DefaultSection
		}
		if sec == nil || sec.Name != name {
			sec = &pageSection{Name: name}
			p.Sections = append(p.Sections, sec)
		}
		links := it.Kind == bulletin.KindLink
		if n := len(sec.Blocks); n == 0 || sec.Blocks[n-1].Links != links {
			sec.Blocks = append(sec.Blocks, &pageBlock{Links: links})
		}
		b := sec.Blocks[len(sec.Blocks)-1]
		b.Items = append(b.Items, pi)
	}
	p.Preheader = in.Preheader
	if p.Preheader == "" {
		p.Preheader = preheader(p.Highlights)
	}
	return p, nil
}

func byline(it Item) string {
	var parts []string
	if it.Source != "" {
		parts = append(parts, it.Source)
	}
	if !it.Date.IsZero() {
		parts = append(parts, it.Date.Format("2 Jan 2006"))
	}
	return strings.Join(parts, ", ")
}

// preheader lists the first highlights, cut to what inbox previews show.
func preheader(hl []*pageItem) string {
	var titles []string
	for _, h := range hl {
		titles = append(titles, h.Title)
	}
	s := strings.Join(titles, " · ")
	if r := []rune(s); len(r) > 140 {
		s = strings.TrimSpace(string(r[:139])) + "…"
	}
	return s
}

func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
