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
// too long on its own. It runs for every hit shown, so it works on spans of
// one copy of the text.
func archiveSnippet(s string) string {
	return archiveSnippetFlat(bulletin.CollapseSpace(s))
}

// archiveSnippetFlat is archiveSnippet of a text whose white space is
// collapsed already (the store's ArchiveSearchFlat).
func archiveSnippetFlat(s string) string {
	sents := archiveSentences(s)
	if len(sents) == 0 {
		return ""
	}
	first := 0
	for i, sn := range sents {
		if strings.Contains(s[sn.from:sn.to], bulletin.SnippetStart) {
			first = i
			break
		}
	}
	last := first
	n := utf8.RuneCountInString(s[sents[first].from:sents[first].to])
	for last+1 < len(sents) {
		next := utf8.RuneCountInString(s[sents[last+1].from:sents[last+1].to])
		if n+next >= archiveSnippetLen {
			break
		}
		last++
		n += 1 + next
	}
	// Sentences are consecutive pieces of s, one space apart.
	out := s[sents[first].from:sents[last].to]
	lead, tail := first > 0, last < len(sents)-1
	if n > archiveSnippetLen+60 {
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

// span is the text s[from:to] of a longer s.
type span struct{ from, to int }

// archiveSentences splits plain text after ".", "!" or "?" followed by a
// space and a capital letter, digit or quote.
func archiveSentences(s string) []span {
	var out []span
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
			out = append(out, span{start, j})
			start = j + 1
		}
	}
	if start < len(s) {
		out = append(out, span{start, len(s)})
	}
	return out
}

// archiveAroundMark shortens one long run of text to whole words around its
// first mark: from eight words before it, as many words as fit. The words
// are one space apart (the text was collapsed), so the result is a piece of s.
func archiveAroundMark(s string, lead, tail bool) (string, bool, bool) {
	starts := make([]int, 1, 64) // where each word begins
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			starts = append(starts, i+1)
		}
	}
	end := func(w int) int { // where word w ends
		if w+1 < len(starts) {
			return starts[w+1] - 1
		}
		return len(s)
	}
	at := 0
	if m := strings.Index(s, bulletin.SnippetStart); m >= 0 {
		for at+1 < len(starts) && starts[at+1] <= m {
			at++
		}
	}
	from := max(0, at-8)
	to := from
	n := 0
	for to < len(starts) {
		size := utf8.RuneCountInString(s[starts[to]:end(to)])
		if n+size >= archiveSnippetLen {
			break
		}
		n += size + 1
		to++
	}
	if to == from {
		to = from + 1
	}
	return s[starts[from]:end(to-1)], lead || from > 0, tail || to < len(starts)
}
