package postgres

import (
	"context"
	"fmt"
	"time"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// The archive's queries. Every one of them joins on issues.status = 'sent':
// drafts, scheduled, sending and cancelled issues and their items are never
// read here, so the public pages cannot show them by mistake.

var archiveIssueCols = `i.id, i.number, i.subject, i.preheader, coalesce(i.sent_at, i.updated_at) AS sent_at,
	ARRAY(SELECT ` + closingTitle("t") + ` FROM items t WHERE t.issue_id = i.id ORDER BY t.issue_position, t.id) AS highlights`

// closingTitle is SQL for the title of item alias a as every reader sees it:
// the closing item reads "Lastly, …", as in the email.
func closingTitle(a string) string {
	return `CASE WHEN ` + a + `.closing THEN 'Lastly, ' || ` + a + `.title ELSE ` + a + `.title END`
}

// ArchiveNewsletter returns the newsletter with this slug and the slug of
// one of its public lists (its subscribe page), if any.
func (db *DB) ArchiveNewsletter(ctx context.Context, slug string) (*bulletin.ArchiveNewsletter, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT n.id, n.slug, n.name, n.description, n.from_name, n.schedule, n.created_at,
		n.logo_url, n.accent_color, n.org_name, n.org_address,
		coalesce((SELECT l.slug FROM newsletter_lists nl JOIN lists l ON l.id = nl.list_id
			WHERE nl.newsletter_id = n.id AND l.public ORDER BY l.id LIMIT 1), '') AS subscribe_to
		FROM newsletters n WHERE n.slug = $1`, slug)
	nl, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.ArchiveNewsletter])
	if err != nil {
		return nil, fmt.Errorf("archive newsletter: %w", mapErr(err, "newsletter "+slug))
	}
	return nl, nil
}

// ArchiveDefaultSlug returns the slug of the default newsletter, or of the
// oldest one when none is marked default.
func (db *DB) ArchiveDefaultSlug(ctx context.Context) (string, error) {
	var slug string
	err := db.Pool.QueryRow(ctx, `SELECT slug FROM newsletters ORDER BY is_default DESC, id LIMIT 1`).Scan(&slug)
	if err != nil {
		return "", fmt.Errorf("default newsletter: %w", mapErr(err, "newsletter"))
	}
	return slug, nil
}

// ArchiveLatest returns the newest sent issues, newest first, with their
// highlights.
func (db *DB) ArchiveLatest(ctx context.Context, newsletterID int64, limit, offset int) ([]bulletin.ArchiveIssue, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+archiveIssueCols+` FROM issues i
		WHERE i.newsletter_id = $1 AND i.status = 'sent'
		ORDER BY i.number DESC LIMIT $2 OFFSET $3`, newsletterID, limit, offset)
	return collectArchiveIssues(rows, "latest issues")
}

// ArchiveMonthIssues returns the issues sent in [from, to), oldest first,
// with their highlights.
func (db *DB) ArchiveMonthIssues(ctx context.Context, newsletterID int64, from, to time.Time) ([]bulletin.ArchiveIssue, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+archiveIssueCols+` FROM issues i
		WHERE i.newsletter_id = $1 AND i.status = 'sent'
		AND coalesce(i.sent_at, i.updated_at) >= $2 AND coalesce(i.sent_at, i.updated_at) < $3
		ORDER BY i.number`, newsletterID, from, to)
	return collectArchiveIssues(rows, "month issues")
}

func collectArchiveIssues(rows pgx.Rows, what string) ([]bulletin.ArchiveIssue, error) {
	is, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[bulletin.ArchiveIssue])
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", what, err)
	}
	return is, nil
}

// ArchiveMonths returns the months that have sent issues, newest first,
// counted in the time zone tz (an IANA name).
func (db *DB) ArchiveMonths(ctx context.Context, newsletterID int64, tz string) ([]bulletin.ArchiveMonth, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT extract(year FROM t)::int AS year, extract(month FROM t)::int AS month, count(*)::int AS issues
		FROM (SELECT coalesce(sent_at, updated_at) AT TIME ZONE $2 AS t FROM issues
			WHERE newsletter_id = $1 AND status = 'sent') s
		GROUP BY 1, 2 ORDER BY 1 DESC, 2 DESC`, newsletterID, tz)
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.ArchiveMonth])
	if err != nil {
		return nil, fmt.Errorf("archive months: %w", err)
	}
	return ms, nil
}

// ArchiveIssue returns sent issue number of the newsletter with its stored
// HTML and the numbers of the sent issues before and after it. An issue that
// exists but was not sent is ENOTFOUND, exactly like a missing one.
func (db *DB) ArchiveIssue(ctx context.Context, newsletterID int64, number int) (*bulletin.ArchiveIssue, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+archiveIssueCols+`, i.html,
		coalesce((SELECT max(p.number) FROM issues p
			WHERE p.newsletter_id = i.newsletter_id AND p.status = 'sent' AND p.number < i.number), 0) AS prev,
		coalesce(nx.number, 0) AS next, coalesce(nx.sent_at, 'epoch') AS next_sent_at
		FROM issues i
		LEFT JOIN LATERAL (SELECT x.number, coalesce(x.sent_at, x.updated_at) AS sent_at FROM issues x
			WHERE x.newsletter_id = i.newsletter_id AND x.status = 'sent' AND x.number > i.number
			ORDER BY x.number LIMIT 1) nx ON true
		WHERE i.newsletter_id = $1 AND i.number = $2 AND i.status = 'sent'`, newsletterID, number)
	is, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.ArchiveIssue])
	if err != nil {
		return nil, fmt.Errorf("archive issue: %w", mapErr(err, fmt.Sprintf("issue %d", number)))
	}
	return is, nil
}
