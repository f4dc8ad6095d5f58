// Package content validates what contributors write and turns item bodies
// from Markdown into HTML that is safe to put in an email or a web page. It
// is pure: no database, no I/O.
//
// Titles and sources are plain text. Markup in them is rejected rather than
// stripped, because silently dropping part of a headline surprises the
// author; a "<" that cannot start a tag ("budget < 5%") is fine, and every
// renderer escapes plain text for its context. Line breaks are rejected since
// titles end up in the Subject header.
package content

import (
	"strings"

	"bulletin/internal/bulletin"
)

// MaxNoteLen caps a review note, in characters.
const MaxNoteLen = 2000

// PrepareItem checks the contributed fields of it, normalises them (trims
// spaces, defaults the kind) and derives BodyHTML from Body. On error it is
// unusable and the error is EINVALID or ETOOLARGE with a message naming the
// field.
func PrepareItem(it *bulletin.Item) error {
	var err error
	if it.Title, err = PlainText("title", it.Title, bulletin.MaxTitleLen); err != nil {
		return err
	}
	if it.Title == "" {
		return bulletin.Errorf(bulletin.EINVALID, "title: required")
	}
	if it.Source, err = PlainText("source", it.Source, bulletin.MaxSourceLen); err != nil {
		return err
	}
	if it.URL, err = CheckURL("url", it.URL); err != nil {
		return err
	}
	switch it.Kind {
	case "":
		it.Kind = bulletin.KindArticle
	case bulletin.KindArticle:
	case bulletin.KindLink:
		if it.URL == "" {
			return bulletin.Errorf(bulletin.EINVALID, "url: required for a link item")
		}
	default:
		return bulletin.Errorf(bulletin.EINVALID, "kind: must be %q or %q", bulletin.KindArticle, bulletin.KindLink)
	}
	if it.BodyHTML, err = RenderBody(it.Body); err != nil {
		return err
	}
	return nil
}

// Note checks a review note: plain text that may span lines.
func Note(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkText("note", s, MaxNoteLen, true); err != nil {
		return "", err
	}
	return s, nil
}
