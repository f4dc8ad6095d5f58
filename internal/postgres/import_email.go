package postgres

import (
	"strings"

	"bulletin/internal/bulletin"
)

// normalizeEmail is bulletin.NormalizeEmail for an import row, with a
// shortcut for the plain addresses most files hold. NormalizeEmail parses
// with net/mail and maps the domain through IDNA, allocating as it goes:
// the largest part of an import's own CPU. An address made only of the
// characters below, shaped as below, comes out of both unchanged but for
// its domain's ASCII capitals, so that is all the shortcut does; anything
// else (and every error) goes through NormalizeEmail itself.
func normalizeEmail(s string) (string, error) {
	if out, ok := plainEmail(s); ok {
		return out, nil
	}
	return bulletin.NormalizeEmail(s)
}

// plainEmail returns s with its domain lower-cased, and true, when s is
// local@domain with
//   - a local part of ASCII letters, digits and _ + -, with dots between
//     them (a dot-atom: none first, last or doubled), and
//   - a domain of two or more labels of ASCII letters, digits and
//     hyphens, each not empty, not starting or ending with a hyphen and
//     without a hyphen in its third and fourth place (so no xn-- label),
//
// at most bulletin.MaxEmailLen bytes long. For those, net/mail gives the
// address back as written and IDNA's lookup profile (STD3 rules, hyphen
// checks; no bidi or joiner rule touches ASCII letters and digits) gives
// the lower-cased domain back as it is.
func plainEmail(s string) (string, bool) {
	if len(s) > bulletin.MaxEmailLen {
		return "", false
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", false
	}
	local, domain := s[:at], s[at+1:]
	prev := byte('.')
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c == '.':
			if prev == '.' {
				return "", false
			}
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '+', c == '-':
		default:
			return "", false
		}
		prev = c
	}
	if prev == '.' {
		return "", false
	}
	upper, labels, start := false, 1, 0
	for i := 0; i <= len(domain); i++ {
		if i == len(domain) || domain[i] == '.' {
			label := domain[start:i]
			if label == "" || label[0] == '-' || label[len(label)-1] == '-' || len(label) >= 4 && label[2] == '-' && label[3] == '-' {
				return "", false
			}
			if i < len(domain) {
				labels++
			}
			start = i + 1
			continue
		}
		c := domain[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		case 'A' <= c && c <= 'Z':
			upper = true
		default:
			return "", false
		}
	}
	if labels < 2 {
		return "", false
	}
	if !upper {
		return s, true
	}
	return local + "@" + strings.ToLower(domain), true
}
