package web

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"bulletin/internal/bulletin"
)

// queueRow is one row of the review queue: the item, its place in the
// order the list shows (the order it would go out in), its section's name
// and the start of its text.
type queueRow struct {
	*bulletin.Item
	Place       int
	SectionName string
	Excerpt     string
}

func queueRows(items []*bulletin.Item, sections []*bulletin.Section) []queueRow {
	names := map[string]string{}
	for _, s := range sections {
		names[s.Slug] = s.Name
	}
	rows := make([]queueRow, 0, len(items))
	for i, it := range items {
		name := names[it.Section]
		if name == "" {
			name = it.Section
		}
		rows = append(rows, queueRow{Item: it, Place: i + 1, SectionName: name, Excerpt: excerpt(it.Body, 160)})
	}
	return rows
}

var (
	mdLinkRE = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdMarkRE = regexp.MustCompile("(?m)^[ \t]*(#+|>+|[-*+]|[0-9]+\\.)[ \t]+|[*_`~]")
)

// excerpt is the first n or so characters of a Markdown text as plain
// words, cut at a word and ended with "…" when shortened.
func excerpt(md string, n int) string {
	s := mdMarkRE.ReplaceAllString(mdLinkRE.ReplaceAllString(md, "$1"), "")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.-") + "…"
}
