package postgres

import (
	"context"
	"fmt"
	"slices"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"

	"github.com/jackc/pgx/v5"
)

const sendIssueCols = `i.id, i.number, i.status, n.id, n.slug, n.name, n.from_name, n.from_email, n.reply_to`

// FindSendIssue finds an issue by newsletter slug and number, without its
// content.
func (db *DB) FindSendIssue(ctx context.Context, nl string, number int) (*delivery.Issue, error) {
	var iss delivery.Issue
	err := db.Pool.QueryRow(ctx, `SELECT `+sendIssueCols+`
		FROM issues i JOIN newsletters n ON n.id = i.newsletter_id
		WHERE (n.slug = $1 OR ($1 = '' AND n.is_default)) AND i.number = $2`, nl, number).Scan(
		&iss.ID, &iss.Number, &iss.Status, &iss.NewsletterID, &iss.NewsletterSlug, &iss.NewsletterName,
		&iss.FromName, &iss.FromEmail, &iss.ReplyTo)
	if err != nil {
		return nil, mapErr(err, fmt.Sprintf("issue %d of newsletter %q", number, nl))
	}
	return &iss, nil
}

// FindIssueForSend loads an issue with its content and its newsletter's
// sender.
func (db *DB) FindIssueForSend(ctx context.Context, id int64) (*delivery.Issue, error) {
	var iss delivery.Issue
	err := db.Pool.QueryRow(ctx, `SELECT `+sendIssueCols+`, i.subject, i.html, i.text_body
		FROM issues i JOIN newsletters n ON n.id = i.newsletter_id WHERE i.id = $1`, id).Scan(
		&iss.ID, &iss.Number, &iss.Status, &iss.NewsletterID, &iss.NewsletterSlug, &iss.NewsletterName,
		&iss.FromName, &iss.FromEmail, &iss.ReplyTo, &iss.Subject, &iss.HTML, &iss.Text)
	if err != nil {
		return nil, mapErr(err, "issue")
	}
	return &iss, nil
}

// StartIssue moves the issue to sending and creates one delivery per
// distinct active subscriber with an active subscription to any of the
// newsletter's lists, in one transaction; a re-run adds nothing twice.
func (db *DB) StartIssue(ctx context.Context, issueID int64, from []string) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var status string
		var nl int64
		err := tx.QueryRow(ctx, `SELECT status, newsletter_id FROM issues WHERE id = $1 FOR UPDATE`, issueID).Scan(&status, &nl)
		if err != nil {
			return mapErr(err, "issue")
		}
		if !slices.Contains(from, status) {
			return bulletin.Errorf(bulletin.ECONFLICT, "issue is %s, not %v: not started", status, from)
		}
		if _, err := tx.Exec(ctx, `UPDATE issues SET status = 'sending', started_at = now(), updated_at = now() WHERE id = $1`, issueID); err != nil {
			return err
		}
		// Sorted by subscriber so the unique index is filled in order.
		tag, err := tx.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id)
			SELECT $1, s.id FROM subscribers s
			WHERE s.status = 'active' AND EXISTS (
				SELECT 1 FROM subscriptions sub JOIN newsletter_lists nl ON nl.list_id = sub.list_id
				WHERE sub.subscriber_id = s.id AND sub.status = 'active' AND nl.newsletter_id = $2)
			ORDER BY s.id
			ON CONFLICT DO NOTHING`, issueID, nl)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `SELECT pg_notify('`+deliveriesChannel+`', '')`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("start issue: %w", err)
	}
	if n >= 1000 {
		// Fresh statistics, or the planner may still think the table is
		// as small as before the fan-out and claim by sequential scan: a
		// scan of every row per batch of 100.
		if _, err := db.Pool.Exec(ctx, `ANALYZE deliveries`); err != nil {
			return n, fmt.Errorf("start issue: analyze: %w", err)
		}
	}
	return n, nil
}

// DueIssues lists scheduled issues whose time has come, oldest first.
func (db *DB) DueIssues(ctx context.Context, limit int) ([]int64, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id FROM issues WHERE status = 'scheduled' AND scheduled_at <= now()
		ORDER BY scheduled_at LIMIT $1`, limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("due issues: %w", err)
	}
	return ids, nil
}

// ResumeIssue clears the alarm pause of an issue.
func (db *DB) ResumeIssue(ctx context.Context, issueID int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE delivery_alarms SET paused_at = NULL, policy_rejections = 0, updated_at = now()
		WHERE issue_id = $1`, issueID)
	if err != nil {
		return fmt.Errorf("resume issue: %w", err)
	}
	return nil
}

// FinishIssues marks sending issues with nothing pending (rows in flight
// are pending under a lease) as sent. The probe uses the partial pending
// index, so a finished issue of a million rows costs no scan.
func (db *DB) FinishIssues(ctx context.Context) ([]int64, error) {
	rows, _ := db.Pool.Query(ctx, `UPDATE issues i SET status = 'sent', sent_at = now(), updated_at = now()
		WHERE i.status = 'sending'
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.issue_id = i.id AND d.status = 'pending')
		RETURNING i.id`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("finish issues: %w", err)
	}
	return ids, nil
}
