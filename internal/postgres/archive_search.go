package postgres

import (
	"context"
	"fmt"
	"slices"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// titleOpts marks every match with the private-use markers of
// bulletin.SnippetStart/Stop in the whole text; the web layer escapes the
// text and only then turns the markers into <mark>, so a snippet never
// carries markup. The snippet is the whole marked body: the web layer cuts
// it at sentence ends around the first match.
var titleOpts = fmt.Sprintf("StartSel=%s, StopSel=%s, HighlightAll=true", bulletin.SnippetStart, bulletin.SnippetStop)

// ArchiveSearch runs q (web search syntax: words, "phrases", or, -not) over
// the items of the newsletter's sent issues, best match first. Title and
// Snippet of each hit carry the snippet markers; Snippet is the item's
// whole text.
//
// PostgreSQL parses q (websearch_to_tsquery), once per distinct query, and
// the archive version comes from the followed watch or is read with the
// parse (archive_search_follow.go); the matching, ts_rank ranking, counting
// and marking then run over the newsletter's in-process index of that
// version (archive_search_index.go). A query form the index does not
// evaluate goes to SQL instead, as do the searches of a newsletter whose
// index the memory budget does not hold (archive_search_budget.go).
func (db *DB) ArchiveSearch(ctx context.Context, newsletterID int64, q string, limit, offset int) (*bulletin.SearchResult, error) {
	return db.archiveSearch(ctx, newsletterID, q, limit, offset, false)
}

// ArchiveSearchFlat is ArchiveSearch with each Snippet's white space
// collapsed (runs of it one space, none at the ends), as a result page
// shows it: from the index, that copy is made once per item, not per hit.
func (db *DB) ArchiveSearchFlat(ctx context.Context, newsletterID int64, q string, limit, offset int) (*bulletin.SearchResult, error) {
	return db.archiveSearch(ctx, newsletterID, q, limit, offset, true)
}

func (db *DB) archiveSearch(ctx context.Context, newsletterID int64, q string, limit, offset int, flat bool) (*bulletin.SearchResult, error) {
	p, version, err := db.searchQuery(ctx, q)
	if err != nil {
		return nil, err
	}
	if !p.unsupported {
		ix, ok, err := db.searchIndex(ctx, newsletterID, version)
		if err != nil {
			return nil, err
		}
		if ok {
			return ix.search(p.q, limit, offset, flat), nil
		}
	}
	// A query form the index does not evaluate, or no index kept for this
	// newsletter (over the budget, or none allowed).
	res, err := db.archiveSearchSQL(ctx, newsletterID, q, limit, offset)
	if err == nil && flat {
		for i := range res.Hits {
			res.Hits[i].Snippet = bulletin.CollapseSpace(res.Hits[i].Snippet)
		}
	}
	return res, err
}

type scoredItem struct {
	item int32
	rank float32
}

// search matches, ranks and pages q over the index.
func (ix *searchIndex) search(q *tsQuery, limit, offset int, flat bool) *bulletin.SearchResult {
	res := &bulletin.SearchResult{Hits: []bulletin.SearchHit{}}
	if q.root == nil {
		return res
	}
	lists := make([][]posting, len(q.lexemes))
	for k, l := range q.lexemes {
		lists[k] = ix.postings[l]
	}
	pos := make([][]uint16, len(q.lexemes))
	// Only the best offset+limit hits are kept, best first; items are held
	// newest issue first, in issue order, and tried in that order, so among
	// equal ranks the earlier one stays ahead: the SQL order of rank, then
	// number descending, then place.
	keep := offset + limit
	top := make([]scoredItem, 0, min(keep, 64))
	try := func(i int32) {
		if !matches(q.root, pos) {
			return
		}
		res.Total++
		if keep <= 0 {
			return
		}
		h := scoredItem{i, tsRank(q, pos, ix.items[i].lexemes == 0)}
		if len(top) == keep && h.rank <= top[keep-1].rank {
			return
		}
		at, _ := slices.BinarySearchFunc(top, h.rank, func(t scoredItem, r float32) int {
			if t.rank >= r {
				return -1 // equal ranks: the one found first stays ahead
			}
			return 1
		})
		if len(top) == keep {
			top = top[:keep-1]
		}
		top = slices.Insert(top, at, h)
	}
	cursor := make([]int, len(lists))
	at := func(i int32) { // pos[k] := item i's positions of operand k
		for k, l := range lists {
			for cursor[k] < len(l) && l[cursor[k]].item < i {
				cursor[k]++
			}
			pos[k] = nil
			if cursor[k] < len(l) && l[cursor[k]].item == i {
				p := l[cursor[k]]
				pos[k] = ix.positions[p.off : p.off+p.n : p.off+p.n]
			}
		}
	}
	if matches(q.root, pos) { // pos all nil: items with none of the words match (a NOT)
		for i := range ix.items {
			at(int32(i))
			try(int32(i))
		}
	} else { // only items holding one of the words can match: walk the lists merged
		for {
			next := int32(-1)
			for k, l := range lists {
				if cursor[k] < len(l) && (next < 0 || l[cursor[k]].item < next) {
					next = l[cursor[k]].item
				}
			}
			if next < 0 {
				break
			}
			at(next)
			try(next)
			for k, l := range lists {
				if cursor[k] < len(l) && l[cursor[k]].item == next {
					cursor[k]++
				}
			}
		}
	}
	if offset >= len(top) {
		return res
	}
	hits := top[offset:]
	var want []int32 // the words whose lexemes are the query's
	for _, l := range q.lexemes {
		want = append(want, ix.lexWords[l]...)
	}
	for _, h := range hits {
		it := &ix.items[h.item]
		text, words := it.Text, it.textWords
		if flat {
			text, words = it.Flat, it.flatWords
		}
		res.Hits = append(res.Hits, bulletin.SearchHit{ItemID: it.ID, Title: mark(it.Title, it.titleWords, want), Snippet: mark(text, words, want),
			Number: it.Number, Subject: it.Subject, SentAt: it.SentAt, Rank: h.rank, Ordinal: it.Ordinal})
	}
	return res
}

// archiveSearchSQL is the search done wholly in PostgreSQL, for query forms
// the index does not evaluate (ts_headline marks the matches). Headlines
// are computed only for the page of hits returned.
func (db *DB) archiveSearchSQL(ctx context.Context, newsletterID int64, q string, limit, offset int) (*bulletin.SearchResult, error) {
	markers := bulletin.SnippetStart + bulletin.SnippetStop
	rows, _ := db.Pool.Query(ctx, `WITH q AS (SELECT websearch_to_tsquery('english', $2) AS q),
		hits AS (
			SELECT t.id, `+closingTitle("t")+` AS title, t.search_text, t.issue_position, i.number, i.subject,
				coalesce(i.sent_at, i.updated_at) AS sent_at, ts_rank(t.search, q.q) AS rank, count(*) OVER () AS total,
				(SELECT count(*) FROM items o WHERE o.issue_id = t.issue_id
					AND (o.issue_position, o.id) <= (t.issue_position, t.id)) AS ordinal
			FROM items t JOIN issues i ON i.id = t.issue_id, q
			WHERE i.newsletter_id = $1 AND i.status = 'sent' AND t.search @@ q.q
			ORDER BY rank DESC, i.number DESC, t.issue_position
			LIMIT $3 OFFSET $4)
		SELECT h.id AS item_id,
			ts_headline('english', translate(h.title, $5, ''), q.q, $6) AS title,
			ts_headline('english', h.search_text, q.q, $7) AS snippet,
			h.number, h.subject, h.sent_at, h.rank, h.total, h.ordinal
		FROM hits h, q ORDER BY h.rank DESC, h.number DESC, h.issue_position`,
		newsletterID, q, limit, offset, markers, titleOpts, titleOpts)
	type row struct {
		bulletin.SearchHit
		Total int `db:"total"`
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, fmt.Errorf("archive search: %w", err)
	}
	res := &bulletin.SearchResult{Hits: make([]bulletin.SearchHit, 0, len(rs))}
	for _, r := range rs {
		res.Hits = append(res.Hits, r.SearchHit)
		res.Total = r.Total
	}
	return res, nil
}
