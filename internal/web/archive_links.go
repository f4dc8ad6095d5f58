package web

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// archiveTargetTop makes every link of a stored email that leaves it open in the
// whole window, not inside the archive's frame (where most sites refuse to
// be framed); in-page "#…" links stay in the frame. A link whose URL is not
// http(s), mailto or relative loses its href: the sandbox would block it
// anyway, and an archive has no use for javascript: or data: links. All
// other bytes pass through unchanged.
func archiveTargetTop(doc string) string {
	z := html.NewTokenizer(strings.NewReader(doc))
	var out bytes.Buffer
	out.Grow(len(doc) + len(doc)/20)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.String() // io.EOF: the tokenizer never fails otherwise on a string
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(z.Raw())
			continue
		}
		raw := append([]byte(nil), z.Raw()...) // Token reuses the buffer
		tok := z.Token()
		if tok.Data != "a" && tok.Data != "area" {
			out.Write(raw)
			continue
		}
		attrs := tok.Attr[:0]
		href, hasHref := "", false
		for _, archiveAt := range tok.Attr {
			switch archiveAt.Key {
			case "target":
				continue
			case "href":
				href, hasHref = archiveAt.Val, true
				if !archiveSafeLink(archiveAt.Val) {
					continue
				}
			}
			attrs = append(attrs, archiveAt)
		}
		if hasHref && archiveSafeLink(href) && !strings.HasPrefix(strings.TrimSpace(href), "#") {
			attrs = append(attrs, html.Attribute{Key: "target", Val: "_top"})
		}
		tok.Attr = attrs
		out.WriteString(tok.String())
	}
}

// archiveSafeLink accepts http(s), mailto and scheme-less (relative) URLs. Browsers
// ignore tabs, newlines and other controls and spaces in a scheme, so those
// go first.
func archiveSafeLink(u string) bool {
	u = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, u)
	scheme, _, found := strings.Cut(u, ":")
	if !found || strings.ContainsAny(scheme, "/?#") {
		return true // relative
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}
