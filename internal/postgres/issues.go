package postgres

import (
	"context"
	"errors"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// issueColumns are the issues columns bulletin.Issue maps.
const issueColumns = `id, newsletter_id, number, slot, status, subject, preheader, html, text_body,
	scheduled_at, started_at, sent_at, created_at, updated_at`

// issueColumnsQ is issueColumns qualified with the alias "is".
const issueColumnsQ = `is_.id, is_.newsletter_id, is_.number, is_.slot, is_.status, is_.subject, is_.preheader,
	is_.html, is_.text_body, is_.scheduled_at, is_.started_at, is_.sent_at, is_.created_at, is_.updated_at`

// FindIssues lists a newsletter's issues, newest first, with their snapshot.
func (db *DB) FindIssues(ctx context.Context, newsletter string) ([]bulletin.Issue, error) {
	if _, err := db.issueNLExists(ctx, newsletter); err != nil {
		return nil, err
	}
	rows, _ := db.Pool.Query(ctx, `SELECT `+issueColumnsQ+` FROM issues is_ JOIN newsletters n ON n.id = is_.newsletter_id
		WHERE `+issueNLWhere(newsletter)+` ORDER BY is_.number DESC`, issueNLArgs(newsletter)...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.Issue])
	if err != nil {
		return nil, fmt.Errorf("find issues: %w", err)
	}
	return out, nil
}

// FindIssueByNumber returns issue number of newsletter ("" = default).
func (db *DB) FindIssueByNumber(ctx context.Context, newsletter string, number int) (*bulletin.Issue, error) {
	args := append(issueNLArgs(newsletter), number)
	rows, _ := db.Pool.Query(ctx, `SELECT `+issueColumnsQ+` FROM issues is_ JOIN newsletters n ON n.id = is_.newsletter_id
		WHERE `+issueNLWhere(newsletter)+fmt.Sprintf(` AND is_.number = $%d`, len(args)), args...)
	is, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Issue])
	if err != nil {
		return nil, mapErr(err, fmt.Sprintf("issue %d", number))
	}
	return is, nil
}

// FindIssueItems returns the items of an issue in issue order.
func (db *DB) FindIssueItems(ctx context.Context, issueID int64) ([]bulletin.Item, error) {
	out, err := compileCollect[bulletin.Item](ctx, db.Pool, `SELECT `+compileItemColumns+`
		FROM items i WHERE i.issue_id = $1 ORDER BY i.issue_position`, issueID)
	if err != nil {
		return nil, fmt.Errorf("find issue items: %w", err)
	}
	return out, nil
}

// IssueCounts reads an issue's delivery counts (kept as they change).
func (db *DB) IssueCounts(ctx context.Context, issueID int64) (bulletin.Counts, error) {
	var c bulletin.Counts
	err := db.Pool.QueryRow(ctx, `SELECT coalesce(c.total, 0), coalesce(c.sent, 0), coalesce(c.failed, 0)
		FROM (SELECT $1::bigint AS id) i LEFT JOIN delivery_counts c ON c.issue_id = i.id`, issueID).Scan(&c.Total, &c.Sent, &c.Failed)
	if err != nil {
		return c, fmt.Errorf("count deliveries: %w", err)
	}
	c.Pending = c.Total - c.Sent - c.Failed
	return c, nil
}

// CancelIssue cancels a draft or scheduled issue and releases its items so
// the next compile takes them again. Its number stays used: numbers are
// never reused. A sending, sent or cancelled issue is EUNPROCESSABLE.
func (db *DB) CancelIssue(ctx context.Context, newsletter string, number int) (*bulletin.Issue, error) {
	is, err := db.FindIssueByNumber(ctx, newsletter, number)
	if err != nil {
		return nil, err
	}
	var out *bulletin.Issue
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `UPDATE issues SET status = 'cancelled', scheduled_at = NULL, updated_at = now()
			WHERE id = $1 AND status IN ('draft', 'scheduled') RETURNING `+issueColumns, is.ID)
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Issue])
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE items SET issue_id = NULL, issue_position = NULL, updated_at = now() WHERE issue_id = $1`, is.ID)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, bulletin.Errorf(bulletin.EUNPROCESSABLE, "issue %d is %s and can no longer be cancelled", number, is.Status)
	} else if err != nil {
		return nil, fmt.Errorf("cancel issue %d: %w", number, err)
	}
	return out, nil
}

// FindScheduledNewsletters lists the newsletters that have a schedule, for
// the scheduler.
func (db *DB) FindScheduledNewsletters(ctx context.Context) ([]bulletin.Newsletter, error) {
	out, err := compileCollect[bulletin.Newsletter](ctx, db.Pool,
		`SELECT `+compileNewsletterColumns+` FROM newsletters WHERE schedule <> '' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find scheduled newsletters: %w", err)
	}
	return out, nil
}

// issueNLExists checks that the newsletter exists, so that an empty list
// means "no issues" and not "no such newsletter".
func (db *DB) issueNLExists(ctx context.Context, newsletter string) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `SELECT n.id FROM newsletters n WHERE `+issueNLWhere(newsletter), issueNLArgs(newsletter)...).Scan(&id)
	if err != nil {
		return 0, mapErr(err, fmt.Sprintf("newsletter %q", newsletter))
	}
	return id, nil
}

// issueNLWhere selects newsletter n by slug, or the default for "".
func issueNLWhere(slug string) string {
	if slug == "" {
		return `n.is_default`
	}
	return `n.slug = $1`
}

func issueNLArgs(slug string) []any {
	if slug == "" {
		return nil
	}
	return []any{slug}
}
