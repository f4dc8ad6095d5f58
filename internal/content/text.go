package content

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"bulletin/internal/bulletin"
)

// PlainText trims s and checks it is one line of plain text of at most max
// characters. field names the input in the error.
func PlainText(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", bulletin.Errorf(bulletin.EINVALID, "%s: not valid UTF-8", field)
	}
	s = strings.TrimSpace(s)
	if err := checkText(field, s, max, false); err != nil {
		return "", err
	}
	return s, nil
}

// checkText rejects invalid UTF-8, NUL and other control characters (line
// breaks only when multiline), text longer than max characters and anything
// a browser would parse as a tag or comment.
func checkText(field, s string, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return bulletin.Errorf(bulletin.EINVALID, "%s: not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return bulletin.Errorf(bulletin.EINVALID, "%s: %d characters, at most %d allowed", field, n, max)
	}
	for i, r := range s {
		switch {
		case r == '\r' || r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			if !multiline {
				return bulletin.Errorf(bulletin.EINVALID, "%s: must not contain a line break", field)
			}
		case r == '\t' && multiline:
		case unicode.IsControl(r):
			return bulletin.Errorf(bulletin.EINVALID, "%s: must not contain control characters", field)
		case r == '<' && looksLikeTag(s[i+1:]):
			return bulletin.Errorf(bulletin.EINVALID, "%s: must be plain text, without HTML tags", field)
		}
	}
	return nil
}

// looksLikeTag reports whether rest (what follows a "<") would make an HTML
// parser start a tag, an end tag, a comment or a processing instruction.
func looksLikeTag(rest string) bool {
	if rest == "" {
		return false
	}
	c := rest[0]
	return c == '/' || c == '!' || c == '?' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// CheckURL trims s and checks that it is empty or an absolute http(s) URL
// with a host, of at most MaxURLLen bytes.
func CheckURL(field, s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", bulletin.Errorf(bulletin.EINVALID, "%s: not valid UTF-8", field)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > bulletin.MaxURLLen {
		return "", bulletin.Errorf(bulletin.EINVALID, "%s: longer than %d bytes", field, bulletin.MaxURLLen)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", bulletin.Errorf(bulletin.EINVALID, "%s: must not contain spaces or control characters", field)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", bulletin.Errorf(bulletin.EINVALID, "%s: not a valid URL", field)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", bulletin.Errorf(bulletin.EINVALID, "%s: must start with http:// or https://", field)
	}
	if u.Host == "" {
		return "", bulletin.Errorf(bulletin.EINVALID, "%s: has no host", field)
	}
	return s, nil
}
