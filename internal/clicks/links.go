// Package clicks counts what readers follow in an issue, per issue and per
// link, never per person: the links of an issue are numbered once, the copy
// that is sent points each one at BASE_URL/r/{issue}/{link}, the same URL for
// every recipient, and the redirect counts clicks in memory (Counter) that a
// service adds to PostgreSQL in batches.
package clicks

import (
	"html"
	"regexp"
	"strconv"
	"strings"

	"bulletin/internal/bulletin"

	xhtml "golang.org/x/net/html"
)

// Link is one distinct link of an issue: the n-th (from 1) of its HTML and
// text, and the item it belongs to (0: none).
type Link struct {
	No     int
	URL    string
	ItemID int64
}

// Links numbers the distinct countable links of an issue's HTML (anchors'
// href) and text (bare URLs), HTML first, in order of appearance. keep maps
// URLs already numbered (a re-render) to their numbers, which they keep; new
// URLs get numbers after the highest kept one. Links that leave the site at
// base are countable; the site's own links (archive, unsubscribe,
// preferences, contribute, privacy), the personal placeholders, mailto: and
// anything not http(s) are not.
func Links(htmlBody, text, base string, keep map[string]int, items []bulletin.Item) []Link {
	next := 0
	for _, n := range keep {
		next = max(next, n)
	}
	seen := map[string]bool{}
	var out []Link
	add := func(u string) {
		if seen[u] || !Countable(u, base) {
			return
		}
		seen[u] = true
		n, ok := keep[u]
		if !ok {
			next++
			n = next
		}
		out = append(out, Link{No: n, URL: u, ItemID: itemOf(u, items)})
	}
	walkHrefs(htmlBody, func(u string) string { add(u); return "" })
	for _, u := range textURLs(text) {
		add(u)
	}
	return out
}

// Countable reports whether u is a link the redirect may stand in for.
func Countable(u, base string) bool {
	lower := strings.ToLower(u)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return false // mailto:, tel:, relative, fragments, placeholders
	}
	if strings.Contains(u, "__BULLETIN_") || strings.ContainsAny(u, " \t\r\n<>\"") {
		return false
	}
	base = strings.TrimRight(base, "/")
	if base != "" && (strings.EqualFold(u, base) || strings.HasPrefix(lower, strings.ToLower(base)+"/")) {
		return false // the site's own pages: archive, unsubscribe, preferences
	}
	return len(u) <= bulletin.MaxURLLen
}

// itemOf is the item whose URL is u, else the first whose body holds u.
func itemOf(u string, items []bulletin.Item) int64 {
	for _, it := range items {
		if it.URL == u {
			return it.ID
		}
	}
	escaped := html.EscapeString(u)
	for _, it := range items {
		if strings.Contains(it.BodyHTML, escaped) || strings.Contains(it.Body, u) {
			return it.ID
		}
	}
	return 0
}

// RedirectURL is the URL the sent copy carries for link no of issue.
func RedirectURL(base string, issue int64, no int) string {
	return strings.TrimRight(base, "/") + "/r/" + strconv.FormatInt(issue, 10) + "/" + strconv.Itoa(no)
}

// PixelURL is the one open-counting image of an issue, the same for all.
func PixelURL(base string, issue int64) string {
	return strings.TrimRight(base, "/") + "/o/" + strconv.FormatInt(issue, 10) + ".gif"
}

// Rewrite returns the copy of an issue that is sent: every numbered link of
// the HTML and text replaced by its redirect URL. Everything else, the
// personal placeholders included, is left byte for byte.
func Rewrite(htmlBody, text, base string, issue int64, links []Link) (string, string) {
	nos := make(map[string]int, len(links))
	for _, l := range links {
		nos[l.URL] = l.No
	}
	to := func(u string) string {
		if n, ok := nos[u]; ok {
			return RedirectURL(base, issue, n)
		}
		return ""
	}
	return walkHrefs(htmlBody, to), rewriteText(text, to)
}

// WithPixel adds the open-counting image before the end of the body.
func WithPixel(htmlBody, pixel string) string {
	img := `<img src="` + html.EscapeString(pixel) + `" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`
	if i := strings.LastIndex(strings.ToLower(htmlBody), "</body>"); i >= 0 {
		return htmlBody[:i] + img + htmlBody[i:]
	}
	return htmlBody + img
}

// hrefAttr finds an href attribute and its value in a raw start tag.
var hrefAttr = regexp.MustCompile(`(?i)(\shref\s*=\s*)("[^"]*"|'[^']*'|[^\s>"']+)`)

// walkHrefs calls to with the (unescaped) href of every <a> and <area> of
// doc and returns doc with the hrefs for which to answered non-empty
// replaced. The tokenizer's raw bytes are copied, so what is not replaced
// stays byte for byte.
func walkHrefs(doc string, to func(string) string) string {
	z := xhtml.NewTokenizer(strings.NewReader(doc))
	var b strings.Builder
	b.Grow(len(doc) + len(doc)/8)
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break // io.EOF: a strings.Reader has no other error
		}
		raw := string(z.Raw())
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			b.WriteString(raw)
			continue
		}
		name, hasAttr := z.TagName()
		if (string(name) != "a" && string(name) != "area") || !hasAttr {
			b.WriteString(raw)
			continue
		}
		var href string
		found := false
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			if string(k) == "href" {
				href, found = string(v), true
				break
			}
		}
		if !found {
			b.WriteString(raw)
			continue
		}
		nu := to(strings.TrimSpace(href))
		if nu == "" {
			b.WriteString(raw)
			continue
		}
		loc := hrefAttr.FindStringSubmatchIndex(raw)
		if loc == nil {
			b.WriteString(raw)
			continue
		}
		b.WriteString(raw[:loc[4]])
		b.WriteString(`"` + html.EscapeString(nu) + `"`)
		b.WriteString(raw[loc[5]:])
	}
	return b.String()
}

// bareURL is a URL in plain text; trailing punctuation is trimmed after.
var bareURL = regexp.MustCompile(`(?i)https?://[^\s<>"]+`)

func trimURL(u string) string { return strings.TrimRight(u, ".,;:!?)]}'") }

func textURLs(text string) []string {
	var out []string
	for _, u := range bareURL.FindAllString(text, -1) {
		out = append(out, trimURL(u))
	}
	return out
}

func rewriteText(text string, to func(string) string) string {
	return bareURL.ReplaceAllStringFunc(text, func(m string) string {
		u := trimURL(m)
		nu := to(u)
		if nu == "" {
			return m
		}
		return nu + m[len(u):]
	})
}
