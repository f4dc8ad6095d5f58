package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// searchIndexes keeps one in-process search index per newsletter, each
// tagged with the archive_version it was read at. Every search knows the
// current version (read with its parsed query, or from the followed
// archive watch), so an index is never used after a change that version
// counts, in this process or any other; the first search after a change
// rebuilds it (one build per newsletter at a time, the others wait for
// it). The indexes held are bounded by a budget of estimated bytes
// (archive_search_budget.go). The zero value is ready, and unbounded.
type searchIndexes struct {
	mu    sync.Mutex
	slots map[int64]*searchSlot
	// bounded by LimitSearchIndexes to budget bytes; held is the sum of
	// the estimates of the indexes held. clock counts searches, for LRU.
	bounded      bool
	budget, held int64
	clock        uint64
	builds       atomic.Int64 // indexes built, kept or not
	log          *slog.Logger // evictions and indexes over the budget; nil: not logged
	// follow is the version source and what is kept per version
	// (archive_search_follow.go).
	follow searchFollow
}

type searchSlot struct {
	build sync.Mutex
	cur   atomic.Pointer[searchIndex]
	// tooBig is the version of the last index built that was over the
	// budget alone; searches at or before it go to SQL.
	tooBig atomic.Int64
	// Under searchIndexes.mu: the newsletter, the clock of the last
	// search, the estimate of cur (0 when none is held), and of the last
	// index too big.
	newsletter       int64
	used             uint64
	size, tooBigSize int64
}

// searchIndex is the searchable copy of a newsletter's sent items.
type searchIndex struct {
	version  int64
	items    []searchItem
	postings map[string][]posting // lexeme → the items holding it, in item order
	// positions holds every posting's positions, one after another.
	positions []uint16
	// The words of the titles and texts, numbered: the words a lexeme
	// comes from, so marking a hit's text compares numbers only.
	lexWords map[string][]int32
	// bytes is the estimate of the heap the index holds
	// (archive_search_size.go), made when it is built.
	bytes int64
}

// searchItem is one sent item as search shows it. Title and Text are
// plain text without snippet markers; Flat is Text with its white space
// collapsed (collapseSpace), once here rather than in every snippet shown.
type searchItem struct {
	ID       int64     `db:"id"`
	Title    string    `db:"title"`
	Text     string    `db:"text"`
	Flat     string    `db:"-"`
	Vector   string    `db:"vector"`
	Position int       `db:"issue_position"`
	Ordinal  int       `db:"ordinal"`
	Number   int       `db:"number"`
	Subject  string    `db:"subject"`
	SentAt   time.Time `db:"sent_at"`
	lexemes  int       // how many lexemes the item's tsvector holds
	// The spans of the words of Title and Text that have lexemes.
	titleWords, textWords, flatWords []wordSpan
}

// wordSpan is a word at s[start:end] whose number is word.
type wordSpan struct {
	start, end uint32
	word       int32
}

// posting is an item holding a lexeme at positions[off:off+n] of its index.
type posting struct {
	item   int32
	off, n uint32
}

// buildSearchIndex reads the version and the newsletter's sent items in one
// snapshot, then asks PostgreSQL for the lexemes of every distinct word of
// the texts, which marking matches in snippets needs.
func (db *DB) buildSearchIndex(ctx context.Context, newsletterID int64) (*searchIndex, error) {
	ix := &searchIndex{postings: map[string][]posting{}}
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT version FROM archive_version`).Scan(&ix.version); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT t.id, translate(`+closingTitle("t")+`, $2, '') AS title,
			t.search_text AS text,
			t.search::text AS vector, t.issue_position, i.number, i.subject,
			coalesce(i.sent_at, i.updated_at) AS sent_at,
			row_number() OVER (PARTITION BY t.issue_id ORDER BY t.issue_position, t.id) AS ordinal
			FROM items t JOIN issues i ON i.id = t.issue_id
			WHERE i.newsletter_id = $1 AND i.status = 'sent'
			ORDER BY i.number DESC, t.issue_position, t.id`, newsletterID, bulletin.SnippetStart+bulletin.SnippetStop)
		var err error
		ix.items, err = pgx.CollectRows(rows, pgx.RowToStructByNameLax[searchItem])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("archive search index: %w", err)
	}
	words := map[string]int32{} // lower-case word → its number
	var list []string
	number := func(w string) int32 {
		lw := strings.ToLower(w)
		n, ok := words[lw]
		if !ok {
			n = int32(len(list))
			words[lw] = n
			list = append(list, lw)
		}
		return n
	}
	for i := range ix.items {
		it := &ix.items[i]
		if err := ix.addVector(int32(i), it); err != nil {
			return nil, fmt.Errorf("archive search index: item %d: %w", it.ID, err)
		}
		it.Vector = ""
		it.Flat = bulletin.CollapseSpace(it.Text)
		eachWord(it.Title, func(start, end int) {
			it.titleWords = append(it.titleWords, wordSpan{uint32(start), uint32(end), number(it.Title[start:end])})
		})
		eachWord(it.Text, func(start, end int) {
			it.textWords = append(it.textWords, wordSpan{uint32(start), uint32(end), number(it.Text[start:end])})
		})
		eachWord(it.Flat, func(start, end int) {
			it.flatWords = append(it.flatWords, wordSpan{uint32(start), uint32(end), number(it.Flat[start:end])})
		})
	}
	// Each word's lexemes, as PostgreSQL makes them; stop words have none.
	hasLex := make([]bool, len(list))
	ix.lexWords = map[string][]int32{}
	rows, _ := db.Pool.Query(ctx, `SELECT n::int - 1, ARRAY(SELECT lexeme FROM unnest(to_tsvector('english', w)))
		FROM unnest($1::text[]) WITH ORDINALITY AS u(w, n)`, list)
	var n int32
	var lex []string
	_, err = pgx.ForEachRow(rows, []any{&n, &lex}, func() error {
		for _, l := range lex {
			ix.lexWords[l] = append(ix.lexWords[l], n)
		}
		hasLex[n] = len(lex) > 0
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("archive search index: words: %w", err)
	}
	for i := range ix.items { // keep the spans of words that can match, in arrays of their size
		it := &ix.items[i]
		it.titleWords = matchable(it.titleWords, hasLex)
		it.textWords = matchable(it.textWords, hasLex)
		it.flatWords = matchable(it.flatWords, hasLex)
	}
	ix.positions = slices.Clip(slices.Clone(ix.positions))
	ix.bytes = ix.estimateBytes()
	return ix, nil
}

// matchable returns a copy of the spans whose words have lexemes, in an
// array of its length (nil when there is none).
func matchable(spans []wordSpan, hasLex []bool) []wordSpan {
	n := 0
	for _, w := range spans {
		if hasLex[w.word] {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]wordSpan, 0, n)
	for _, w := range spans {
		if hasLex[w.word] {
			out = append(out, w)
		}
	}
	return out
}

// addVector parses the text form of item i's tsvector ('lexeme':1A,5 …)
// into the postings.
func (ix *searchIndex) addVector(i int32, it *searchItem) error {
	s := it.Vector
	for s != "" {
		if s[0] != '\'' {
			return errors.New("tsvector: quote expected")
		}
		p := &tsParser{s: s}
		lex, err := p.quoted()
		if err != nil {
			return err
		}
		s = s[p.i:]
		off := len(ix.positions)
		if strings.HasPrefix(s, ":") {
			s = s[1:]
			for {
				j := 0
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				n, err := strconv.Atoi(s[:j])
				if err != nil {
					return fmt.Errorf("tsvector position: %w", err)
				}
				var w uint16 // D
				if j < len(s) && s[j] >= 'A' && s[j] <= 'D' {
					w = uint16('D' - s[j])
					j++
				}
				ix.positions = append(ix.positions, uint16(n)&posMask|w<<weightTop)
				s = s[j:]
				if !strings.HasPrefix(s, ",") {
					break
				}
				s = s[1:]
			}
		} else {
			ix.positions = append(ix.positions, posMask) // no positions: PostgreSQL's POSNULL
		}
		ps, seen := ix.postings[lex]
		if !seen {
			lex = strings.Clone(lex) // the key, in an array of its length
		}
		ix.postings[lex] = append(ps, posting{item: i, off: uint32(off), n: uint32(len(ix.positions) - off)})
		it.lexemes++
		s = strings.TrimPrefix(s, " ")
	}
	return nil
}

// eachWord calls fn with the span of every run of letters and digits in s.
func eachWord(s string, fn func(start, end int)) {
	start := -1
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			fn(start, i)
			start = -1
		}
	}
	if start >= 0 {
		fn(start, len(s))
	}
}

// mark wraps in the snippet markers every word of s (spans) that is one of
// the words want, as ts_headline with HighlightAll marks the words whose
// lexemes are the query's.
func mark(s string, spans []wordSpan, want []int32) string {
	var b strings.Builder
	last := 0
	for _, w := range spans {
		if !slices.Contains(want, w.word) {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s) + 64)
		}
		b.WriteString(s[last:w.start])
		b.WriteString(bulletin.SnippetStart)
		b.WriteString(s[w.start:w.end])
		b.WriteString(bulletin.SnippetStop)
		last = int(w.end)
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
