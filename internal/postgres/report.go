package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// IssueReport gathers one issue's report from aggregates only: delivery
// counts kept per issue, inbound messages by issue, clicks per link and
// day, and the unsubscribes of the week after the send through an index
// (see bulletin.IssueReport for the attribution). Its cost does not grow
// with the list or the deliveries.
func (db *DB) IssueReport(ctx context.Context, newsletter string, number int) (*bulletin.IssueReport, error) {
	is, err := db.FindIssueByNumber(ctx, newsletter, number)
	if err != nil {
		return nil, err
	}
	r := &bulletin.IssueReport{Newsletter: newsletter, Number: is.Number, Subject: is.Subject, Status: is.Status,
		Links: []bulletin.LinkClicks{}, Items: []bulletin.ItemClicks{}, Days: []bulletin.DayClicks{}}
	err = db.Pool.QueryRow(ctx, `SELECT n.slug, coalesce(i.started_at, i.sent_at),
			(SELECT min(coalesce(j.started_at, j.sent_at)) FROM issues j WHERE j.newsletter_id = i.newsletter_id
				AND j.id <> i.id AND coalesce(j.started_at, j.sent_at) > coalesce(i.started_at, i.sent_at)),
			coalesce(c.total, 0), coalesce(c.sent, 0), coalesce(c.failed, 0),
			(SELECT count(*) FROM inbound_messages m WHERE m.issue_id = i.id AND m.kind = 'bounce' AND m.status LIKE '5.%'),
			(SELECT count(*) FROM inbound_messages m WHERE m.issue_id = i.id AND m.kind = 'complaint'),
			(SELECT coalesce(sum(opens), 0) FROM issue_opens o WHERE o.issue_id = i.id)
		FROM issues i JOIN newsletters n ON n.id = i.newsletter_id LEFT JOIN delivery_counts c ON c.issue_id = i.id
		WHERE i.id = $1`, is.ID).Scan(&r.Newsletter, &r.SentFrom, &r.SentUntil, &r.Recipients, &r.Delivered, &r.Failed,
		&r.Bounced, &r.Complaints, &r.Opens)
	if err != nil {
		return nil, fmt.Errorf("issue report: %w", err)
	}
	if r.SentFrom != nil {
		until := r.SentFrom.Add(bulletin.UnsubscribeWindow)
		if r.SentUntil == nil || r.SentUntil.After(until) {
			r.SentUntil = &until
		}
		err = db.Pool.QueryRow(ctx, `SELECT count(DISTINCT s.subscriber_id) FROM newsletter_lists nl
			JOIN subscriptions s ON s.list_id = nl.list_id AND s.unsubscribed_how IN ('link', 'mailto')
				AND s.unsubscribed_at >= $2 AND s.unsubscribed_at < $3
			WHERE nl.newsletter_id = $1`, is.NewsletterID, *r.SentFrom, *r.SentUntil).Scan(&r.Unsubscribes)
		if err != nil {
			return nil, fmt.Errorf("issue report: unsubscribes: %w", err)
		}
	} else {
		r.SentUntil = nil
	}
	if err := db.reportClicks(ctx, is.ID, r); err != nil {
		return nil, err
	}
	return r, nil
}

// reportClicks fills the links, items and days of r.
func (db *DB) reportClicks(ctx context.Context, issueID int64, r *bulletin.IssueReport) error {
	rows, _ := db.Pool.Query(ctx, `SELECT id, title FROM items WHERE issue_id = $1 ORDER BY issue_position, id`, issueID)
	numbers := map[int64]int{}
	err := forEachRow(rows, func(row pgx.CollectableRow) error {
		var id int64
		var title string
		if err := row.Scan(&id, &title); err != nil {
			return err
		}
		numbers[id] = len(r.Items) + 1
		r.Items = append(r.Items, bulletin.ItemClicks{Number: len(r.Items) + 1, Title: title})
		return nil
	})
	if err != nil {
		return fmt.Errorf("issue report: items: %w", err)
	}
	rows, _ = db.Pool.Query(ctx, `SELECT l.link_no, l.url, l.item_id,
			coalesce((SELECT sum(c.clicks) FROM link_clicks c WHERE c.issue_id = l.issue_id AND c.link_no = l.link_no), 0)
		FROM issue_links l WHERE l.issue_id = $1 ORDER BY l.link_no`, issueID)
	err = forEachRow(rows, func(row pgx.CollectableRow) error {
		var l bulletin.LinkClicks
		var itemID *int64
		if err := row.Scan(&l.Link, &l.URL, &itemID, &l.Clicks); err != nil {
			return err
		}
		if itemID != nil {
			if n, ok := numbers[*itemID]; ok {
				l.Item = &n
				r.Items[n-1].Clicks += l.Clicks
			}
		}
		r.Clicks += l.Clicks
		r.Links = append(r.Links, l)
		return nil
	})
	if err != nil {
		return fmt.Errorf("issue report: links: %w", err)
	}
	slices.SortStableFunc(r.Links, func(a, b bulletin.LinkClicks) int { return cmpDesc(a.Clicks, b.Clicks) })
	slices.SortStableFunc(r.Items, func(a, b bulletin.ItemClicks) int { return cmpDesc(a.Clicks, b.Clicks) })
	if r.SentFrom == nil {
		return nil
	}
	first := r.SentFrom.UTC().Truncate(24 * time.Hour)
	perDay := map[string]int64{}
	rows, _ = db.Pool.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), sum(clicks) FROM link_clicks
		WHERE issue_id = $1 AND day >= $2::date AND day < $2::date + 7 GROUP BY day`, issueID, first.Format(time.DateOnly))
	err = forEachRow(rows, func(row pgx.CollectableRow) error {
		var day string
		var n int64
		err := row.Scan(&day, &n)
		perDay[day] = n
		return err
	})
	if err != nil {
		return fmt.Errorf("issue report: days: %w", err)
	}
	for d := range 7 {
		day := first.AddDate(0, 0, d).Format(time.DateOnly)
		r.Days = append(r.Days, bulletin.DayClicks{Day: day, Clicks: perDay[day]})
	}
	return nil
}

func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// forEachRow calls fn for every row, closing rows.
func forEachRow(rows pgx.Rows, fn func(pgx.CollectableRow) error) error {
	_, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (struct{}, error) { return struct{}{}, fn(row) })
	return err
}

// maxGrowthWeeks bounds a growth request: ten years.
const maxGrowthWeeks = 520

// ListGrowth reads the list's weeks from list_growth (kept by triggers,
// migration 0115): a few hundred rows at most, whatever the list's size.
func (db *DB) ListGrowth(ctx context.Context, list string, weeks int, now time.Time) (*bulletin.ListGrowth, error) {
	if weeks < 1 || weeks > maxGrowthWeeks {
		return nil, bulletin.Errorf(bulletin.EINVALID, "weeks must be between 1 and %d, not %d", maxGrowthWeeks, weeks)
	}
	l, err := db.FindListBySlug(ctx, list)
	if err != nil {
		return nil, err
	}
	return db.listGrowth(ctx, l.ID, l.Slug, l.Name, weeks, now)
}

// NewsletterGrowth gives the growth of each of the newsletter's lists, or
// of every list for newsletter "".
func (db *DB) NewsletterGrowth(ctx context.Context, newsletter string, weeks int, now time.Time) ([]bulletin.ListGrowth, error) {
	if weeks < 1 || weeks > maxGrowthWeeks {
		return nil, bulletin.Errorf(bulletin.EINVALID, "weeks must be between 1 and %d, not %d", maxGrowthWeeks, weeks)
	}
	q := `SELECT id, slug, name FROM lists ORDER BY slug`
	args := []any{}
	if newsletter != "" {
		if _, err := db.FindNewsletterBySlug(ctx, newsletter); err != nil {
			return nil, err
		}
		q = `SELECT l.id, l.slug, l.name FROM lists l JOIN newsletter_lists nl ON nl.list_id = l.id
			JOIN newsletters n ON n.id = nl.newsletter_id WHERE n.slug = $1 ORDER BY l.slug`
		args = append(args, newsletter)
	}
	type listRow struct {
		id         int64
		slug, name string
	}
	var lists []listRow
	rows, _ := db.Pool.Query(ctx, q, args...)
	err := forEachRow(rows, func(row pgx.CollectableRow) error {
		var l listRow
		err := row.Scan(&l.id, &l.slug, &l.name)
		lists = append(lists, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("growth: lists: %w", err)
	}
	out := []bulletin.ListGrowth{}
	for _, l := range lists {
		g, err := db.listGrowth(ctx, l.id, l.slug, l.name, weeks, now)
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, nil
}

// growthWeekStart is the Monday 00:00 UTC of t's week, as growth_week.
func growthWeekStart(t time.Time) time.Time {
	t = t.UTC().Truncate(24 * time.Hour)
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
}

func (db *DB) listGrowth(ctx context.Context, listID int64, slug, name string, weeks int, now time.Time) (*bulletin.ListGrowth, error) {
	last := growthWeekStart(now)
	first := last.AddDate(0, 0, -7*(weeks-1))
	g := &bulletin.ListGrowth{List: slug, Name: name, Weeks: make([]bulletin.GrowthWeek, weeks)}
	for i := range g.Weeks {
		g.Weeks[i] = bulletin.GrowthWeek{Week: first.AddDate(0, 0, 7*i).Format(time.DateOnly), Unsubscribed: map[string]int64{}}
		for _, how := range bulletin.LeftHows() {
			g.Weeks[i].Unsubscribed[how] = 0
		}
	}
	var active int64
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(net), 0) FROM list_growth WHERE list_id = $1 AND week < $2::date`,
		listID, first.Format(time.DateOnly)).Scan(&active); err != nil {
		return nil, fmt.Errorf("growth of %s: %w", slug, err)
	}
	rows, _ := db.Pool.Query(ctx, `SELECT (week - $2::date) / 7, joined, left_link, left_mailto, left_preferences,
			left_complaint, left_admin, left_import, left_other, bounced, net
		FROM list_growth WHERE list_id = $1 AND week >= $2::date AND week <= $3::date ORDER BY week`,
		listID, first.Format(time.DateOnly), last.Format(time.DateOnly))
	nets := make([]int64, weeks)
	err := forEachRow(rows, func(row pgx.CollectableRow) error {
		var i int
		var link, mailto, prefs, complaint, adm, imp, other, net int64
		var w bulletin.GrowthWeek
		if err := row.Scan(&i, &w.Confirmed, &link, &mailto, &prefs, &complaint, &adm, &imp, &other, &w.Bounced, &net); err != nil {
			return err
		}
		if i < 0 || i >= weeks {
			return nil
		}
		w.Week, w.Unsubscribed = g.Weeks[i].Week, map[string]int64{bulletin.LeftByLink: link, bulletin.LeftByMailto: mailto,
			bulletin.LeftByPreferences: prefs, bulletin.LeftByComplaint: complaint, bulletin.LeftByAdmin: adm,
			bulletin.LeftByImport: imp, "other": other}
		w.Unsubscribes = link + mailto + prefs + complaint + adm + imp + other
		g.Weeks[i], nets[i] = w, net
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("growth of %s: %w", slug, err)
	}
	for i := range g.Weeks {
		active += nets[i]
		g.Weeks[i].Active = active
	}
	return g, nil
}
