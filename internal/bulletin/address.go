package bulletin

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxEmailLen is the longest address accepted (RFC 5321 path limit).
const MaxEmailLen = 254

// MaxNameLen bounds subscriber and list names.
const MaxNameLen = 200

// NormalizeEmail validates a subscriber address and returns its canonical
// form: trimmed, the domain lower-cased and IDN domains in punycode, the
// local part as given. Display names ("Jane <j@x>"), CR/LF and anything
// net/mail cannot parse are rejected with EINVALID.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", Errorf(EINVALID, "email address is empty")
	case !utf8.ValidString(s):
		return "", Errorf(EINVALID, "email address is not valid UTF-8")
	case strings.ContainsAny(s, "\r\n\x00"):
		return "", Errorf(EINVALID, "email address contains a line break")
	case strings.ContainsAny(s, "<>"):
		return "", Errorf(EINVALID, "email address must be a bare address, without a display name")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", Errorf(EINVALID, "%q is not a valid email address", clip(s, 80))
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if strings.HasPrefix(domain, "[") {
		return "", Errorf(EINVALID, "%q: address literals are not accepted", clip(s, 80))
	}
	ascii, err := idna.Lookup.ToASCII(strings.ToLower(domain))
	if err != nil || !strings.Contains(ascii, ".") {
		return "", Errorf(EINVALID, "%q: the domain is not valid", clip(s, 80))
	}
	out := local + "@" + ascii
	if len(out) > MaxEmailLen {
		return "", Errorf(EINVALID, "email address is longer than %d characters", MaxEmailLen)
	}
	return out, nil
}

// FoldEmail returns an address's identity: the key two spellings share
// when they differ only by case, so that Victim@x and victim@x are one
// subscriber for matching, rate limits, the blocklist and unsubscribing.
// It folds the ASCII letters, as the database's unique index on
// lower(email COLLATE "C") does (the domain is already lower-case
// punycode; a non-ASCII local part keeps its case). The spelling as typed
// is kept for display. email should already be normalised
// (NormalizeEmail).
func FoldEmail(email string) string {
	b := []byte(email)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// CheckName validates a person's or list's display name: header-bound text
// must carry no control characters (CR/LF would inject headers).
func CheckName(field, s string) error {
	switch {
	case !utf8.ValidString(s):
		return Errorf(EINVALID, "%s is not valid UTF-8", field)
	case utf8.RuneCountInString(s) > MaxNameLen:
		return Errorf(EINVALID, "%s is longer than %d characters", field, MaxNameLen)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return Errorf(EINVALID, "%s contains a control character", field)
		}
	}
	return nil
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
