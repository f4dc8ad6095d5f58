package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// titleOpts marks every match with the private-use markers of
// bulletin.SnippetStart/Stop in the whole text; the web layer escapes the
// text and only then turns the markers into <mark>, so a snippet never
// carries markup. The snippet is the whole marked body: the web layer cuts
// it at sentence ends around the first match.
var titleOpts = fmt.Sprintf("StartSel=%s, StopSel=%s, HighlightAll=true", bulletin.SnippetStart, bulletin.SnippetStop)

// plainMarkdown is SQL turning the Markdown of expr into plain words for a
// snippet: no emphasis or code marks, headings or quote marks, and a link
// shows its text only. It also drops the snippet markers ($5).
func plainMarkdown(expr string) string {
	return `regexp_replace(regexp_replace(translate(` + expr + `, $5 || '*` + "`" + `', ''),
		'\[([^]]*)\]\([^)]*\)', '\1', 'g'), '(^|\n)[ \t]*(#+|>+)[ \t]*', '\1', 'g')`
}

// ArchiveSearch runs q (web search syntax: words, "phrases", or, -not) over
// the items of the newsletter's sent issues, best match first. Title and
// Snippet of each hit carry the snippet markers. Headlines are computed only
// for the page of hits returned, as they are the expensive part.
func (db *DB) ArchiveSearch(ctx context.Context, newsletterID int64, q string, limit, offset int) (*bulletin.SearchResult, error) {
	markers := bulletin.SnippetStart + bulletin.SnippetStop
	rows, _ := db.Pool.Query(ctx, `WITH q AS (SELECT websearch_to_tsquery('english', $2) AS q),
		hits AS (
			SELECT t.id, `+closingTitle("t")+` AS title, t.body, t.source, t.issue_position, i.number, i.subject,
				coalesce(i.sent_at, i.updated_at) AS sent_at, ts_rank(t.search, q.q) AS rank, count(*) OVER () AS total,
				(SELECT count(*) FROM items o WHERE o.issue_id = t.issue_id
					AND (o.issue_position, o.id) <= (t.issue_position, t.id)) AS ordinal
			FROM items t JOIN issues i ON i.id = t.issue_id, q
			WHERE i.newsletter_id = $1 AND i.status = 'sent' AND t.search @@ q.q
			ORDER BY rank DESC, i.number DESC, t.issue_position
			LIMIT $3 OFFSET $4)
		SELECT h.id AS item_id,
			ts_headline('english', translate(h.title, $5, ''), q.q, $6) AS title,
			ts_headline('english', `+plainMarkdown(`h.body || E'\n' || h.source`)+`, q.q, $7) AS snippet,
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
