package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"bulletin/internal/bulletin"
)

// The hits of a result page are written here by hand rather than by a
// template range: html/template's reflection and per-value escaping were a
// third of a search's CPU. The output is byte for byte what the template
// made (TestArchiveSearchHitsAsTemplate holds it to that template): titles
// and snippets escaped as html.EscapeString does, then marked; the other
// values escaped as html/template escapes them in their context.

// archiveHit is one hit of a result page.
type archiveHit struct {
	Title   string // the store's text with snippet markers
	Snippet string // the same, cut by archiveSnippet
	Issue   archiveIssueView
	URL     string // the issue page at the item's anchor
}

// archiveHitsHTML writes the <li> of each hit, each on its own lines, as
// the search template's list shows them.
func archiveHitsHTML(hits []archiveHit) template.HTML {
	var b bytes.Buffer
	b.Grow(len(hits) * 1000)
	archiveWriteHits(&b, hits)
	return template.HTML(b.String())
}

// archiveWriteHits writes archiveHitsHTML of hits to b.
func archiveWriteHits(b *bytes.Buffer, hits []archiveHit) {
	for _, h := range hits {
		b.WriteString("\n<li>\n<h2><a href=\"")
		archiveWriteURLAttr(b, h.URL)
		b.WriteString("\">")
		archiveWriteMarked(b, h.Title)
		b.WriteString("</a></h2>\n<p class=\"snippet\">")
		archiveWriteMarked(b, h.Snippet)
		b.WriteString("</p>\n<p class=\"meta\">In <a href=\"")
		archiveWriteURLAttr(b, h.Issue.URL)
		b.WriteString("\">")
		archiveWriteTemplateText(b, h.Issue.Subject)
		b.WriteString("</a> · Issue ")
		b.WriteString(strconv.Itoa(h.Issue.Number))
		b.WriteString(" · <time datetime=\"")
		archiveWriteTemplateText(b, h.Issue.ISODate)
		b.WriteString("\">")
		archiveWriteTemplateText(b, h.Issue.Date)
		b.WriteString("</time></p>\n</li>")
	}
}

// archiveWriteTemplateText writes s escaped as html/template escapes text
// and attribute values: its htmlReplacementTable, byte for byte (every
// character it replaces is ASCII).
func archiveWriteTemplateText(b *bytes.Buffer, s string) {
	archiveWriteReplaced(b, s, &templateTextReplacements)
}

// archiveWriteEscaped writes s escaped as html.EscapeString does.
func archiveWriteEscaped(b *bytes.Buffer, s string) {
	archiveWriteReplaced(b, s, &escapeStringReplacements)
}

var (
	templateTextReplacements = [256]string{0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;"}
	escapeStringReplacements = [256]string{'&': "&amp;", '\'': "&#39;", '<': "&lt;", '>': "&gt;", '"': "&#34;"}
)

// archiveWriteReplaced writes s with each byte that has an entry in repl
// replaced by it.
func archiveWriteReplaced(b *bytes.Buffer, s string, repl *[256]string) {
	last := 0
	for i := 0; i < len(s); i++ {
		r := repl[s[i]]
		if r == "" {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// archiveWriteURLAttr writes a same-site URL (it starts with "/", so
// html/template's scheme filter lets it through) as html/template writes
// it in an href: normalised (bytes outside RFC 3986's unreserved and
// reserved sets percent-encoded, existing escapes kept), then escaped as an
// attribute value.
func archiveWriteURLAttr(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
		case strings.IndexByte("!#$*,/:;=?@[]-._~", c) >= 0:
		case c == '&':
			b.WriteString("&amp;")
			continue
		case c == '+':
			b.WriteString("&#43;")
			continue
		case c == '%' && i+2 < len(s) && archiveIsHex(s[i+1]) && archiveIsHex(s[i+2]):
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
}

func archiveIsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// archiveWriteMarked writes a store snippet as HTML: the text escaped as
// html.EscapeString does, the snippet markers turned into <mark> elements,
// balanced whatever the markers in the text were.
func archiveWriteMarked(b *bytes.Buffer, s string) {
	open := false
	for {
		i := archiveMarker(s)
		if i < 0 {
			break
		}
		archiveWriteEscaped(b, s[:i])
		start := s[i:i+len(bulletin.SnippetStart)] == bulletin.SnippetStart
		switch {
		case start && !open:
			b.WriteString("<mark>")
			open = true
		case !start && open:
			b.WriteString("</mark>")
			open = false
		}
		s = s[i+len(bulletin.SnippetStart):]
	}
	archiveWriteEscaped(b, s)
	if open {
		b.WriteString("</mark>")
	}
}

// archiveMarker returns the index of the first snippet marker in s, or -1.
// Both markers are three bytes long and differ only in the last.
func archiveMarker(s string) int {
	lead := bulletin.SnippetStart[:2]
	from := 0
	for {
		i := strings.Index(s[from:], lead)
		if i < 0 {
			return -1
		}
		at := from + i
		if at+2 < len(s) && (s[at+2] == bulletin.SnippetStart[2] || s[at+2] == bulletin.SnippetStop[2]) {
			return at
		}
		from = at + 1
	}
}
