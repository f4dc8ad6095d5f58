package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/clicks"
	"bulletin/internal/delivery"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	var opens bool
	// The copy with counted links when the newsletter counts clicks (clicks.go).
	err := db.Pool.QueryRow(ctx, `SELECT `+sendIssueCols+`, i.subject,
		CASE WHEN n.count_clicks THEN coalesce(i.sent_html, i.html) ELSE i.html END,
		CASE WHEN n.count_clicks THEN coalesce(i.sent_text, i.text_body) ELSE i.text_body END, n.count_opens
		FROM issues i JOIN newsletters n ON n.id = i.newsletter_id WHERE i.id = $1`, id).Scan(
		&iss.ID, &iss.Number, &iss.Status, &iss.NewsletterID, &iss.NewsletterSlug, &iss.NewsletterName,
		&iss.FromName, &iss.FromEmail, &iss.ReplyTo, &iss.Subject, &iss.HTML, &iss.Text, &opens)
	if err != nil {
		return nil, mapErr(err, "issue")
	}
	if opens && db.LinkBase != "" { // one pixel per issue, the same for everyone
		iss.HTML = clicks.WithPixel(iss.HTML, clicks.PixelURL(db.LinkBase, iss.ID))
	}
	return &iss, nil
}

// Fan-out chunk sizes: the first is small so the first message goes out
// at once; the rest are large enough that a transaction per chunk costs
// little.
const (
	firstChunk = 1000
	chunkSize  = 25000
)

// StartIssue moves the issue to sending and creates its first chunk of
// deliveries, in one transaction. It returns how many deliveries that
// created; FanOut creates the rest.
func (db *DB) StartIssue(ctx context.Context, issueID int64, from []string) (int64, error) {
	if err := db.ensurePartition(ctx, issueID); err != nil {
		return 0, fmt.Errorf("start issue: %w", err)
	}
	var n int64
	err := withConflictCheck(func(onConflict string) error {
		return db.inTx(ctx, func(tx pgx.Tx) error {
			var status string
			err := tx.QueryRow(ctx, `SELECT status FROM issues WHERE id = $1 FOR UPDATE`, issueID).Scan(&status)
			if err != nil {
				return mapErr(err, "issue")
			}
			if !slices.Contains(from, status) {
				return bulletin.Errorf(bulletin.ECONFLICT, "issue is %s, not %v: not started", status, from)
			}
			if _, err := tx.Exec(ctx, `UPDATE issues SET status = 'sending', started_at = now(), fanout_after = 0,
				updated_at = now() WHERE id = $1`, issueID); err != nil {
				return err
			}
			n, _, err = fanOutChunk(ctx, tx, issueID, firstChunk, onConflict)
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("start issue: %w", err)
	}
	return n, nil
}

// FanOut creates the remaining deliveries of a sending issue, a chunk per
// transaction, and returns how many it created. Two processes continuing
// the same fan-out take turns on the issue's row lock; the unique
// (issue, subscriber) key and the stored position keep every delivery
// single.
func (db *DB) FanOut(ctx context.Context, issueID int64) (int64, error) {
	// StartIssue made the partition; an issue started before migration
	// 0140 got its own there. This is a catalogue lookup when it exists.
	if err := db.ensurePartition(ctx, issueID); err != nil {
		return 0, fmt.Errorf("fan out issue %d: %w", issueID, err)
	}
	var total int64
	chunks := 0
	for {
		var n int64
		var done bool
		err := withConflictCheck(func(onConflict string) error {
			return db.inTx(ctx, func(tx pgx.Tx) error {
				var err error
				n, done, err = fanOutChunk(ctx, tx, issueID, chunkSize, onConflict)
				return err
			})
		})
		if err != nil {
			return total, fmt.Errorf("fan out issue %d: %w", issueID, err)
		}
		total, chunks = total+n, chunks+1
		if done {
			break
		}
	}
	if chunks > 1 {
		// Fresh statistics, or the planner may still think the table is
		// as small as before the fan-out and plan the progress and finish
		// queries for that. Only the issue's partition: analysing the
		// parent would sample every issue's partition again.
		if _, err := db.Pool.Exec(ctx, `ANALYZE `+partitionName(issueID)); err != nil {
			return total, fmt.Errorf("fan out issue %d: analyze: %w", issueID, err)
		}
	}
	return total, nil
}

// fanOutChunk creates up to limit deliveries for the next active
// subscribers (by id) with an active subscription to any of the issue's
// newsletter's lists, and moves the issue's fan-out position past them. It
// reports done once no subscriber is left, and wakes idle senders.
func fanOutChunk(ctx context.Context, tx pgx.Tx, issueID int64, limit int, onConflict string) (int64, bool, error) {
	var after *int64
	var nl int64
	err := tx.QueryRow(ctx, `SELECT fanout_after, newsletter_id FROM issues WHERE id = $1 AND status = 'sending' FOR UPDATE`,
		issueID).Scan(&after, &nl)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && after == nil {
		return 0, true, nil // not sending (cancelled, erased) or already done
	}
	if err != nil {
		return 0, false, err
	}
	// The subscription probe repeats the lower bound so that its index scan
	// starts at this chunk rather than at the first subscriber. Sorted by
	// subscriber so the unique index is filled in order.
	var created, taken int64
	var last *int64
	err = tx.QueryRow(ctx, `WITH chunk AS (
			SELECT s.id FROM subscribers s
			WHERE s.id > $2 AND s.status = 'active' AND EXISTS (
				SELECT 1 FROM subscriptions sub JOIN newsletter_lists nl ON nl.list_id = sub.list_id
				WHERE sub.subscriber_id = s.id AND sub.subscriber_id > $2 AND sub.status = 'active' AND nl.newsletter_id = $3)
			ORDER BY s.id LIMIT $4),
		ins AS (INSERT INTO deliveries (issue_id, subscriber_id) SELECT $1, id FROM chunk ORDER BY id
			`+onConflict+` RETURNING 1)
		SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM chunk), (SELECT max(id) FROM chunk)`,
		issueID, *after, nl, limit).Scan(&created, &taken, &last)
	if err != nil {
		return 0, false, err
	}
	done := taken < int64(limit)
	if done {
		last = nil
	}
	if _, err := tx.Exec(ctx, `UPDATE issues SET fanout_after = $2, updated_at = now() WHERE id = $1`, issueID, last); err != nil {
		return 0, false, err
	}
	if created > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO delivery_counts AS c (issue_id, total) VALUES ($1, $2)
			ON CONFLICT (issue_id) DO UPDATE SET total = c.total + excluded.total`, issueID, created); err != nil {
			return 0, false, err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_notify('`+deliveriesChannel+`', '')`); err != nil {
			return 0, false, err
		}
	}
	return created, done, nil
}

// withConflictCheck runs a fan-out step with a plain insert and, should
// that hit a delivery that already exists, once more with ON CONFLICT DO
// NOTHING. The position stored with each chunk, under the issue's lock,
// means a chunk never meets its own rows again, and the conflict check
// would cost 40 % of the fan-out on every row; the unique (issue,
// subscriber) key still guards, and this keeps a surprise from stopping
// an issue.
func withConflictCheck(step func(onConflict string) error) error {
	var pgErr *pgconn.PgError
	err := step("")
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		err = step("ON CONFLICT DO NOTHING")
	}
	return err
}

// StalledFanOuts lists sending issues whose fan-out is unfinished and has
// not moved for a while: the process doing it died.
func (db *DB) StalledFanOuts(ctx context.Context, idle time.Duration) ([]int64, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id FROM issues WHERE status = 'sending' AND fanout_after IS NOT NULL
		AND updated_at < now() - $1 * interval '1 millisecond' ORDER BY id`, idle.Milliseconds())
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("stalled fan-outs: %w", err)
	}
	return ids, nil
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

// FinishIssues marks sending issues, fanned out, with nothing pending (rows in flight
// are pending under a lease) as sent. The probe uses the partial pending
// index, so a finished issue of a million rows costs no scan.
//
// The probe must see every issue's partition. PostgreSQL plans a
// statement on the partitions attached when it plans it, ignores any
// attached later, and in READ COMMITTED takes the statement's snapshot
// only after planning: a probe planned just before StartIssue attached the
// issue's partition, and run just after the issue started, saw it sending
// with no deliveries and finished it unsent. ATTACH PARTITION takes SHARE
// UPDATE EXCLUSIVE on deliveries, so the same lock, taken first, makes any
// attach wait for the probe or the probe be planned after it; it does not
// conflict with the claims, 250s and failures (ROW EXCLUSIVE).
func (db *DB) FinishIssues(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE ONLY deliveries IN SHARE UPDATE EXCLUSIVE MODE`); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `UPDATE issues i SET status = 'sent', sent_at = now(), updated_at = now()
			WHERE i.status = 'sending' AND i.fanout_after IS NULL
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.issue_id = i.id AND d.status = 'pending')
			RETURNING i.id`)
		var err error
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("finish issues: %w", err)
	}
	return ids, nil
}

// ensurePartition creates the issue's partition of deliveries if it has
// none (migration 0140), in its own short transaction: the ATTACH holds
// SHARE UPDATE EXCLUSIVE on deliveries, which claims and 250s of other
// issues do not wait for, only until it commits. An issue that does not
// exist gets none; the caller's own checks report it.
func (db *DB) ensurePartition(ctx context.Context, issueID int64) error {
	_, err := db.Pool.Exec(ctx, `SELECT create_deliveries_partition(id) FROM issues WHERE id = $1`, issueID)
	if err != nil {
		return fmt.Errorf("create deliveries partition: %w", err)
	}
	return nil
}

// partitionName is the issue's partition of deliveries; an id is digits,
// so the name needs no quoting.
func partitionName(issueID int64) string {
	return "deliveries_" + strconv.FormatInt(issueID, 10)
}

// markSentFunc is the name of the function that records the 250s of
// issueID's partition (migration 0143).
func markSentFunc(issueID int64) string {
	return "mark_sent_" + strconv.FormatInt(issueID, 10)
}
