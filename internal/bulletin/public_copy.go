package bulletin

import (
	"html"
	"strings"
)

// The stored issue marks the parts of its footer that only make sense to a
// subscriber ("Unsubscribe", "change your preferences"). Each such block is
// followed by its public alternative, kept in an HTML comment so the sent
// email never shows it:
//
//	<!--bulletin:personal-->…<!--/bulletin:personal--><!--bulletin:public …-->
//
// The alternative may use PlaceholderSubscribeURL, which is deliberately no
// __BULLETIN_ token: the sender leaves it in its comment, and checks for
// unfilled personal placeholders do not trip on it. The email template
// writes these markers; PublicCopy reads them.
const (
	MarkPersonalStart       = "<!--bulletin:personal-->"
	MarkPersonalEnd         = "<!--/bulletin:personal-->"
	MarkPublicStart         = "<!--bulletin:public "
	PlaceholderSubscribeURL = "%%SUBSCRIBE_URL%%"
)

// PublicCopy turns a stored issue into the copy anyone may read in the
// archive: each personal block is replaced by its public alternative with
// subscribeURL filled in, or dropped when subscribeURL is "" (the
// newsletter has no public sign-up) or the block has no alternative.
// Issues stored before the markers existed come back unchanged.
func PublicCopy(stored, subscribeURL string) string {
	if !strings.Contains(stored, MarkPersonalStart) {
		return stored
	}
	var b strings.Builder
	b.Grow(len(stored))
	rest := stored
	for {
		start := strings.Index(rest, MarkPersonalStart)
		if start < 0 {
			break
		}
		end := strings.Index(rest[start:], MarkPersonalEnd)
		if end < 0 {
			break
		}
		b.WriteString(rest[:start])
		rest = rest[start+end+len(MarkPersonalEnd):]
		alt := ""
		if strings.HasPrefix(rest, MarkPublicStart) {
			if stop := strings.Index(rest, "-->"); stop >= 0 {
				alt = rest[len(MarkPublicStart):stop]
				rest = rest[stop+len("-->"):]
			}
		}
		if subscribeURL != "" && alt != "" {
			b.WriteString(strings.ReplaceAll(alt, PlaceholderSubscribeURL, html.EscapeString(publicURL(subscribeURL))))
		}
	}
	b.WriteString(rest)
	return b.String()
}

// publicURL is safeURL that also lets a site-relative path through.
func publicURL(u string) string {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && !strings.ContainsAny(u, " \t\r\n\"'<>\\") {
		return u
	}
	return safeURL(u)
}
