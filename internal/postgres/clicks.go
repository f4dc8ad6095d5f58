package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/clicks"

	"github.com/jackc/pgx/v5"
)

// storeLinks numbers the countable links of issue is (html, text) in
// issue_links and stores the copy to send with them pointing at the
// redirect, in tx. On a re-render a URL still present keeps its number
// (and its clicks); links gone are deleted. Without a base URL nothing is
// rewritten and the issue is sent as it is.
func (db *DB) storeLinks(ctx context.Context, tx pgx.Tx, is *bulletin.Issue, items []bulletin.Item) error {
	if db.LinkBase == "" {
		return nil
	}
	rows, _ := tx.Query(ctx, `SELECT url, link_no FROM issue_links WHERE issue_id = $1`, is.ID)
	keep := map[string]int{}
	var u string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&u, &n}, func() error { keep[u] = n; return nil }); err != nil {
		return fmt.Errorf("read issue links: %w", err)
	}
	links := clicks.Links(is.HTML, is.Text, db.LinkBase, keep, items)
	nos := make([]int32, len(links))
	urls := make([]string, len(links))
	itemIDs := make([]*int64, len(links))
	for i, l := range links {
		nos[i], urls[i] = int32(l.No), l.URL
		if l.ItemID != 0 {
			itemIDs[i] = &l.ItemID
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM issue_links WHERE issue_id = $1 AND link_no <> ALL($2::int[])`, is.ID, nos); err != nil {
		return fmt.Errorf("drop old issue links: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO issue_links (issue_id, link_no, url, item_id)
		SELECT $1, n, u, it FROM unnest($2::int[], $3::text[], $4::bigint[]) AS x(n, u, it)
		ON CONFLICT (issue_id, link_no) DO UPDATE SET url = EXCLUDED.url, item_id = EXCLUDED.item_id`,
		is.ID, nos, urls, itemIDs); err != nil {
		return fmt.Errorf("store issue links: %w", err)
	}
	html, text := clicks.Rewrite(is.HTML, is.Text, db.LinkBase, is.ID, links)
	if _, err := tx.Exec(ctx, `UPDATE issues SET sent_html = $2, sent_text = $3 WHERE id = $1`, is.ID, html, text); err != nil {
		return fmt.Errorf("store the copy to send: %w", err)
	}
	return nil
}

// LookupClickTarget implements clicks.Lookup: a link's URL and whether its
// newsletter counts clicks, or (Link 0) whether the issue exists and its
// newsletter counts opens.
func (db *DB) LookupClickTarget(ctx context.Context, k clicks.Key) (clicks.Target, error) {
	var t clicks.Target
	var err error
	if k.Link == 0 {
		err = db.Pool.QueryRow(ctx, `SELECT n.count_opens FROM issues i JOIN newsletters n ON n.id = i.newsletter_id
			WHERE i.id = $1`, k.Issue).Scan(&t.Count)
	} else {
		err = db.Pool.QueryRow(ctx, `SELECT l.url, n.count_clicks FROM issue_links l
			JOIN issues i ON i.id = l.issue_id JOIN newsletters n ON n.id = i.newsletter_id
			WHERE l.issue_id = $1 AND l.link_no = $2`, k.Issue, k.Link).Scan(&t.URL, &t.Count)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return clicks.Target{}, nil
	}
	if err != nil {
		return clicks.Target{}, fmt.Errorf("look up link %d of issue %d: %w", k.Link, k.Issue, err)
	}
	t.Found = true
	return t, nil
}

// AddCounts implements clicks.Store: one upsert per table adds the counts
// to day's rows, in key order (so processes flushing at once never wait on
// each other in a cycle). Counts for links or issues deleted meanwhile are
// dropped by the joins.
func (db *DB) AddCounts(ctx context.Context, day time.Time, counts []clicks.Count) error {
	var li, oi []int64
	var ln []int32
	var lc, oc []int64
	for _, c := range counts {
		if c.Link == 0 {
			oi, oc = append(oi, c.Issue), append(oc, c.N)
		} else {
			li, ln, lc = append(li, c.Issue), append(ln, int32(c.Link)), append(lc, c.N)
		}
	}
	d := day.UTC().Format(time.DateOnly)
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if len(li) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO link_clicks (issue_id, link_no, day, clicks)
				SELECT x.i, x.n, $4::date, x.c FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS x(i, n, c)
				JOIN issue_links l ON l.issue_id = x.i AND l.link_no = x.n
				ORDER BY x.i, x.n
				ON CONFLICT (issue_id, link_no, day) DO UPDATE SET clicks = link_clicks.clicks + EXCLUDED.clicks`,
				li, ln, lc, d); err != nil {
				return fmt.Errorf("add link clicks: %w", err)
			}
		}
		if len(oi) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO issue_opens (issue_id, day, opens)
				SELECT x.i, $3::date, x.c FROM unnest($1::bigint[], $2::bigint[]) AS x(i, c)
				JOIN issues i ON i.id = x.i
				ORDER BY x.i
				ON CONFLICT (issue_id, day) DO UPDATE SET opens = issue_opens.opens + EXCLUDED.opens`,
				oi, oc, d); err != nil {
				return fmt.Errorf("add issue opens: %w", err)
			}
		}
		return nil
	})
}
