package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// QueueDigests queues, for each editor and admin who wants it and whose
// last digest is at least period old, one email listing the items
// submitted since then by others, and moves their last_digest_at in the
// same transaction. Nothing new, no email (and the clock stays). Editors
// locked by another process are skipped, so two processes never queue one
// editor's digest twice. It returns how many digests it queued.
func (db *DB) QueueDigests(ctx context.Context, period time.Duration) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id, email, name, coalesce(last_digest_at, created_at) FROM users
			WHERE role IN ('editor', 'admin') AND notify_digest
			AND (last_digest_at IS NULL OR last_digest_at <= now() - $1::interval)
			ORDER BY id FOR UPDATE SKIP LOCKED`, seconds(period))
		type editor struct {
			id          int64
			email, name string
			since       time.Time
		}
		var eds []editor
		var e editor
		if _, err := pgx.ForEachRow(rows, []any{&e.id, &e.email, &e.name, &e.since}, func() error {
			eds = append(eds, e)
			return nil
		}); err != nil {
			return err
		}
		for _, e := range eds {
			rows, _ := tx.Query(ctx, `SELECT i.title, n.name, coalesce(u.name, '') FROM items i
				JOIN newsletters n ON n.id = i.newsletter_id LEFT JOIN users u ON u.id = i.contributor_id
				WHERE i.status = 'submitted' AND i.created_at > $1 AND i.contributor_id IS DISTINCT FROM $2
				ORDER BY i.created_at, i.id LIMIT 101`, e.since, e.id)
			var items []map[string]any
			var title, nl, who string
			if _, err := pgx.ForEachRow(rows, []any{&title, &nl, &who}, func() error {
				items = append(items, map[string]any{"Title": title, "Newsletter": nl, "By": who})
				return nil
			}); err != nil {
				return err
			}
			if len(items) == 0 {
				continue // never an empty digest
			}
			more := 0
			if len(items) > 100 {
				items, more = items[:100], 1
			}
			err := enqueueMail(ctx, tx, bulletin.MailDigest, bulletin.NoticeMail{To: e.email, Name: e.name,
				Values: map[string]any{"Items": items, "Count": len(items), "More": more == 1, "Path": "/admin/items"}})
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE users SET last_digest_at = now() WHERE id = $1`, e.id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue digests: %w", err)
	}
	return n, nil
}

// NotifySentIssue takes one sent issue whose emails were not yet queued,
// queues the "published in" email of each of its items' contributors and
// the send report of each admin who wants them, and marks the issue
// notified, all in one transaction. Issues another process holds are
// skipped. It reports whether it took one.
func (db *DB) NotifySentIssue(ctx context.Context) (bool, error) {
	var took bool
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		var number int
		var slug, nlName, subject string
		err := tx.QueryRow(ctx, `SELECT i.id, i.number, n.slug, n.name, i.subject FROM issues i JOIN newsletters n ON n.id = i.newsletter_id
			WHERE i.status = 'sent' AND i.notified_at IS NULL ORDER BY i.id LIMIT 1 FOR UPDATE OF i SKIP LOCKED`).
			Scan(&id, &number, &slug, &nlName, &subject)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		took = true
		num := strconv.Itoa(number)
		// The archive numbers items in the order the email shows them.
		rows, _ := tx.Query(ctx, `SELECT x.title, x.anchor, u.email, u.name FROM (
				SELECT title, contributor_id, row_number() OVER (ORDER BY issue_position, id) AS anchor FROM items WHERE issue_id = $1) x
			JOIN users u ON u.id = x.contributor_id WHERE u.notify_published ORDER BY x.anchor`, id)
		var mails []bulletin.NoticeMail
		var title, to, name string
		var anchor int64
		if _, err := pgx.ForEachRow(rows, []any{&title, &anchor, &to, &name}, func() error {
			mails = append(mails, bulletin.NoticeMail{To: to, Name: name, Values: map[string]any{
				"Title": title, "Newsletter": nlName, "Number": number, "Subject": subject,
				"Path": "/archive/" + slug + "/" + num + "/email#item-" + strconv.FormatInt(anchor, 10)}})
			return nil
		}); err != nil {
			return err
		}
		for _, m := range mails {
			if err := enqueueMail(ctx, tx, bulletin.MailPublished, m); err != nil {
				return err
			}
		}
		var delivered, failed, bounced int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'sent'),
				count(*) FILTER (WHERE status = 'failed' AND last_code < 500),
				count(*) FILTER (WHERE status = 'failed' AND last_code >= 500)
			FROM deliveries WHERE issue_id = $1`, id).Scan(&delivered, &failed, &bounced); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT email, name FROM users WHERE role = 'admin' AND notify_send_report ORDER BY id`)
		mails = mails[:0]
		if _, err := pgx.ForEachRow(rows, []any{&to, &name}, func() error {
			mails = append(mails, bulletin.NoticeMail{To: to, Name: name, Values: map[string]any{
				"Newsletter": nlName, "Number": number, "Subject": subject,
				"Delivered": delivered, "Failed": failed, "Bounced": bounced,
				"Path": "/admin/issues/" + slug + "/" + num}})
			return nil
		}); err != nil {
			return err
		}
		for _, m := range mails {
			if err := enqueueMail(ctx, tx, bulletin.MailSendReport, m); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE issues SET notified_at = now() WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("notify sent issue: %w", err)
	}
	return took, nil
}

func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10) + " seconds"
}
