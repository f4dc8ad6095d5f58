package web

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"bulletin/internal/bulletin"
)

// archiveSnippetLen is about how many characters a search snippet shows.
const archiveSnippetLen = 240

// archiveSnippet cuts a whole marked item text down to the sentences around
// its first match: whole sentences where they fit, "…" wherever text was
// left out, and a word boundary (never inside a word) when one sentence is
// too long on its own.
func archiveSnippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	sents := archiveSentences(s)
	if len(sents) == 0 {
		return ""
	}
	first := 0
	for i, sn := range sents {
		if strings.Contains(sn, bulletin.SnippetStart) {
			first = i
			break
		}
	}
	var b strings.Builder
	last := first
	b.WriteString(sents[first])
	for last+1 < len(sents) && utf8.RuneCountInString(b.String())+utf8.RuneCountInString(sents[last+1]) < archiveSnippetLen {
		last++
		b.WriteString(" " + sents[last])
	}
	out := b.String()
	lead, tail := first > 0, last < len(sents)-1
	if utf8.RuneCountInString(out) > archiveSnippetLen+60 {
		out, lead, tail = archiveAroundMark(out, lead, tail)
	}
	if lead {
		out = "… " + out
	}
	if tail {
		out += " …"
	}
	return out
}

// archiveSentences splits plain text after ".", "!" or "?" followed by a
// space and a capital letter, digit or quote.
func archiveSentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '"' || s[j] == ')' || strings.HasPrefix(s[j:], bulletin.SnippetStop)) {
			if s[j] == '"' || s[j] == ')' {
				j++
			} else {
				j += len(bulletin.SnippetStop)
			}
		}
		if j >= len(s) || s[j] != ' ' {
			continue
		}
		r, _ := utf8.DecodeRuneInString(strings.TrimPrefix(s[j+1:], bulletin.SnippetStart))
		if unicode.IsUpper(r) || unicode.IsDigit(r) || r == '"' || r == '“' {
			out = append(out, s[start:j])
			start = j + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// archiveAroundMark shortens one long run of text to whole words around its
// first mark.
func archiveAroundMark(s string, lead, tail bool) (string, bool, bool) {
	words := strings.Split(s, " ")
	at := 0
	for i, w := range words {
		if strings.Contains(w, bulletin.SnippetStart) {
			at = i
			break
		}
	}
	from := max(0, at-8)
	to := from
	n := 0
	for to < len(words) && n+utf8.RuneCountInString(words[to]) < archiveSnippetLen {
		n += utf8.RuneCountInString(words[to]) + 1
		to++
	}
	if to == from {
		to = from + 1
	}
	return strings.Join(words[from:to], " "), lead || from > 0, tail || to < len(words)
}
