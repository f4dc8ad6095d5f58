package render

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"log/slog"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/vanng822/go-premailer/premailer"
)

// Template files, relative to the templates root (see templates.Overlay).
const (
	FileHTML    = "email/issue.html"
	FileText    = "email/issue.txt"
	FileSubject = "email/subject.txt"
)

// MaxHTMLSize is the inlined size above which Render warns: Gmail clips
// messages whose HTML passes about 102 KB.
const MaxHTMLSize = 90 << 10

// Renderer renders issues. It is safe for concurrent use.
type Renderer struct {
	html    *htmltemplate.Template
	text    *texttemplate.Template
	subject *texttemplate.Template
	policy  *bluemonday.Policy
	log     *slog.Logger
}

// New parses the email templates from fsys and renders a sample issue with
// them, so that a template that does not parse or execute stops start-up
// with its file and line in the error.
func New(fsys fs.FS, log *slog.Logger) (*Renderer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Renderer{policy: bluemonday.UGCPolicy(), log: log}
	src, err := fs.ReadFile(fsys, FileHTML)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	funcs := htmltemplate.FuncMap{"comment": comment}
	if r.html, err = htmltemplate.New(FileHTML).Funcs(funcs).Parse(string(src)); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if r.text, err = parseText(fsys, FileText); err != nil {
		return nil, err
	}
	if r.subject, err = parseText(fsys, FileSubject); err != nil {
		return nil, err
	}
	if _, err := r.Render(sampleIssue()); err != nil {
		return nil, fmt.Errorf("templates fail on a sample issue: %w", err)
	}
	return r, nil
}

func parseText(fsys fs.FS, name string) (*texttemplate.Template, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := texttemplate.New(name).Funcs(texttemplate.FuncMap{"upper": strings.ToUpper}).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	return t, nil
}

// Render renders the subject, the HTML (inlined once) and the text of in.
func (r *Renderer) Render(in Issue) (Output, error) {
	p, err := newPage(in, r.policy)
	if err != nil {
		return Output{}, fmt.Errorf("render issue %d: %w", in.Number, err)
	}
	var html, text bytes.Buffer
	if err := r.html.Execute(&html, p); err != nil {
		return Output{}, fmt.Errorf("render html: %w", err)
	}
	if err := r.text.Execute(&text, p); err != nil {
		return Output{}, fmt.Errorf("render text: %w", err)
	}
	subject, err := r.Subject(in)
	if err != nil {
		return Output{}, err
	}
	inlined, err := Inline(html.String())
	if err != nil {
		return Output{}, fmt.Errorf("render issue %d: %w", in.Number, err)
	}
	if len(inlined) > MaxHTMLSize {
		r.log.Warn("issue HTML is large; Gmail clips messages above about 102 KB",
			"number", in.Number, "bytes", len(inlined), "limit", MaxHTMLSize)
	}
	return Output{Subject: subject, Preheader: p.Preheader, HTML: inlined, Text: tidyText(text.String())}, nil
}

// comment emits an HTML comment, which html/template would otherwise strip:
// Outlook's conditional comments carry its ghost tables. Its argument is
// template text, never data.
func comment(s string) htmltemplate.HTML { return htmltemplate.HTML("<!--" + s + "-->") }

// Inline moves the stylesheet into style attributes. It is the only place
// premailer runs, once per issue.
func Inline(html string) (string, error) {
	pm, err := premailer.NewPremailerFromString(html, premailer.NewOptions())
	if err != nil {
		return "", fmt.Errorf("inline css: %w", err)
	}
	out, err := pm.Transform()
	if err != nil {
		return "", fmt.Errorf("inline css: %w", err)
	}
	return out, nil
}

// tidyText trims trailing spaces and collapses runs of blank lines that
// template conditionals leave behind.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		if l != "-- " { // the signature separator keeps its space
			l = strings.TrimRight(l, " \t")
		}
		if l == "" {
			if blank++; blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

func sampleIssue() Issue {
	d := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)
	return Issue{NewsletterName: "Sample", Number: 1, Date: d, Intro: "Intro.",
		ArchiveURL: "https://example.org/archive/s/1", ContributeURL: "https://example.org/contribute",
		Items: []Item{
			{Section: "News", Kind: "article", Title: "An article", BodyHTML: "<p>Body</p>", URL: "https://example.org/a", Source: "By A"},
			{Section: "Links", Kind: "link", Title: "A link", URL: "https://example.org/l", Source: "Site", Date: d},
			{Kind: "article", Title: "the end", BodyHTML: "<p>Bye</p>", Closing: true},
		}}
}
