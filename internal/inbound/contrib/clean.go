package contrib

import (
	"regexp"
	"strings"

	"bulletin/internal/content"
)

// subjectPrefix matches one reply or forward marker, as mail clients in
// English and German write them: "Re:", "RE[2]:", "Fwd:", "Fw:", "AW:", "WG:".
var subjectPrefix = regexp.MustCompile(`^(?i)\s*(re|fwd|fw|aw|wg)\s*(\[\d+\])?\s*:\s*`)

// StripSubjectPrefixes removes every leading reply/forward marker.
func StripSubjectPrefixes(s string) string {
	for {
		t := subjectPrefix.ReplaceAllString(s, "")
		if t == s {
			return strings.TrimSpace(s)
		}
		s = t
	}
}

var (
	// attribution is the line a client writes above a quote, in the
	// languages most likely to reach us; it may wrap over two lines.
	attribution = regexp.MustCompile(`(?i)^\s*(on|am|le|el|il|op)\s.*(wrote|schrieb|écrit|escribió|scritto|schreef)\s*:\s*$`)
	outlookSep  = regexp.MustCompile(`(?i)^\s*-{2,}\s*original message\s*-{2,}\s*$`)
	outlookFrom = regexp.MustCompile(`^\s*(\*\*)?(From|Von|De):(\*\*)?\s`)
	outlookSent = regexp.MustCompile(`^\s*(\*\*)?(Sent|Date|Gesendet|Envoyé):(\*\*)?\s`)
	forwarded   = regexp.MustCompile(`(?i)(forwarded message|begin forwarded message|weitergeleitete nachricht)`)
	cidImage    = regexp.MustCompile(`!\[[^\]]*\]\(cid:[^)]*\)`)
	blankLines  = regexp.MustCompile(`\n{3,}`)
	separator   = regexp.MustCompile(`^\s*([-_=*]\s*){3,}$`)
)

// CleanBody removes what a reply or a mail client adds around what the
// contributor wrote: quoted text, the line introducing it, an Outlook
// reply header with everything below it, and the signature.
func CleanBody(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = cidImage.ReplaceAllString(s, "")
	lines := strings.Split(s, "\n")
	isForward := forwarded.MatchString(s)
	var out []string
lines:
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t")
		switch {
		case lines[i] == "-- " || l == "--":
			break lines
		case outlookSep.MatchString(l):
			break lines
		case !isForward && outlookFrom.MatchString(l) && sentFollows(lines[i+1:]):
			break lines
		case strings.HasPrefix(strings.TrimSpace(l), ">"):
			continue
		case endsWithColon(l) && attribution.MatchString(l) && quoteFollows(lines[i+1:]):
			continue
		case i+1 < len(lines) && endsWithColon(lines[i+1]) && attribution.MatchString(l+" "+strings.TrimSpace(lines[i+1])) && quoteFollows(lines[i+2:]):
			i++
			continue
		}
		if strings.TrimSpace(l) == "" {
			l = ""
		} else {
			l = lines[i] // trailing "  " is a Markdown line break (an HTML <br>)
		}
		out = append(out, l)
	}
	// The rule a client draws above the quote it was cut at.
	for len(out) > 0 && (strings.TrimSpace(out[len(out)-1]) == "" || separator.MatchString(out[len(out)-1])) {
		out = out[:len(out)-1]
	}
	s = blankLines.ReplaceAllString(strings.Join(out, "\n"), "\n\n")
	return strings.TrimSpace(s)
}

// endsWithColon is a cheap test before the attribution pattern.
func endsWithColon(l string) bool { return strings.HasSuffix(strings.TrimSpace(l), ":") }

// quoteFollows reports whether the next non-blank line is quoted (or there
// is none, as when the quote was an attachment).
func quoteFollows(rest []string) bool {
	for _, l := range rest {
		if t := strings.TrimSpace(l); t != "" {
			return strings.HasPrefix(t, ">")
		}
	}
	return true
}

// sentFollows reports whether a Sent:/Date: line comes within the next four,
// which makes a From: line the head of an Outlook reply block.
func sentFollows(rest []string) bool {
	for i, l := range rest {
		if i == 4 {
			break
		}
		if outlookSent.MatchString(l) {
			return true
		}
	}
	return false
}

// loneLink matches a line holding only a link: bare, in angle brackets, or
// as a Markdown link whose text is the whole line's content.
var loneLink = regexp.MustCompile(`^\s*(?:<(https?://\S+)>|\[[^\]]*\]\((https?://[^)\s]+)\)|(https?://\S+))\s*$`)

// ExtractURL finds the first line that holds nothing but a valid http(s)
// link, returns the body without that line, and the link.
func ExtractURL(body string) (string, string) {
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		m := loneLink.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		u := m[1] + m[2] + m[3]
		if u, err := content.CheckURL("url", u); err == nil {
			rest := append(lines[:i:i], lines[i+1:]...)
			out := blankLines.ReplaceAllString(strings.Join(rest, "\n"), "\n\n")
			return strings.TrimSpace(out), u
		}
	}
	return body, ""
}
