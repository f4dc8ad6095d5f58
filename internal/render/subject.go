package render

import (
	"bytes"
	"fmt"
	"strings"
	texttemplate "text/template"

	"bulletin/internal/bulletin"
)

// subjectData is what a subject template may use.
type subjectData struct {
	Name       string
	Number     int
	Date       string
	FirstTitle string
	Count      int
}

// MaxSubjectLen bounds a rendered subject, in characters.
const MaxSubjectLen = 200

// ParseSubject checks a newsletter's subject template when it is saved
// (content.PrepareNewsletter, so every path that saves one): it must parse
// and also run on a sample issue, so that a field that does not exist,
// such as {{.Secret}}, is refused then rather than breaking every compile
// later. Errors are EINVALID and name the fields there are.
func ParseSubject(src string) (*texttemplate.Template, error) {
	t, err := texttemplate.New("subject_template").Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, bulletin.Errorf(bulletin.EINVALID, "subject_template: %v", err)
	}
	sample := subjectData{Name: "Weekly update", Number: 12, Date: "7 December 2026", FirstTitle: "The first item", Count: 3}
	if err := t.Execute(new(bytes.Buffer), sample); err != nil {
		return nil, bulletin.Errorf(bulletin.EINVALID, "subject_template: it fails on a sample issue (%v); "+
			"the fields are {{.Name}}, {{.Number}}, {{.Date}}, {{.FirstTitle}} and {{.Count}}", err)
	}
	return t, nil
}

// Subject renders the subject of in: the newsletter's own template when it
// has one, else email/subject.txt. Whitespace, CR and LF included, collapses
// to single spaces, as the subject becomes a header.
func (r *Renderer) Subject(in Issue) (string, error) {
	t := r.subject
	if in.SubjectTemplate != "" {
		var err error
		if t, err = ParseSubject(in.SubjectTemplate); err != nil {
			return "", err
		}
	}
	d := subjectData{Name: in.NewsletterName, Number: in.Number, Date: in.Date.Format("2 January 2006"), Count: len(in.Items)}
	if len(in.Items) > 0 {
		d.FirstTitle = in.Items[0].Title
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render subject: %w", err)
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if r := []rune(s); len(r) > MaxSubjectLen {
		s = string(r[:MaxSubjectLen-1]) + "…"
	}
	if s == "" {
		s = title(in)
	}
	return s, nil
}
