package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// FindNotifyPrefs returns the notifications user id wants.
func (db *DB) FindNotifyPrefs(ctx context.Context, id int64) (bulletin.NotifyPrefs, error) {
	var p bulletin.NotifyPrefs
	err := db.Pool.QueryRow(ctx, `SELECT notify_digest, notify_review, notify_published, notify_send_report FROM users WHERE id = $1`, id).
		Scan(&p.Digest, &p.Review, &p.Published, &p.SendReport)
	return p, mapErr(err, "user")
}

// SetNotifyPrefs switches user id's notifications.
func (db *DB) SetNotifyPrefs(ctx context.Context, id int64, p bulletin.NotifyPrefs) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE users SET notify_digest = $2, notify_review = $3, notify_published = $4,
		notify_send_report = $5, updated_at = now() WHERE id = $1`, id, p.Digest, p.Review, p.Published, p.SendReport)
	if err != nil {
		return fmt.Errorf("notification settings: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bulletin.Errorf(bulletin.ENOTFOUND, "user not found")
	}
	return nil
}

// enqueueReviewed queues the "approved" or "rejected" email to the item's
// contributor, in the review's transaction, unless they switched it off
// or reviewed their own item.
func enqueueReviewed(ctx context.Context, tx pgx.Tx, it *bulletin.Item, by *bulletin.User) error {
	if it.ContributorID == nil || (by != nil && by.ID == *it.ContributorID) {
		return nil
	}
	var to, name, newsletter string
	err := tx.QueryRow(ctx, `SELECT u.email, u.name, n.name FROM users u, items i JOIN newsletters n ON n.id = i.newsletter_id
		WHERE u.id = $1 AND i.id = $2 AND u.notify_review`, *it.ContributorID, it.ID).Scan(&to, &name, &newsletter)
	if err == pgx.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reviewed email: %w", err)
	}
	return enqueueMail(ctx, tx, bulletin.MailReviewed, bulletin.NoticeMail{To: to, Name: name, Values: map[string]any{
		"Title": it.Title, "Status": it.Status, "Note": it.ReviewNote, "Newsletter": newsletter,
		"Approved": it.Status == bulletin.ItemApproved, "Path": "/contribute"}})
}
