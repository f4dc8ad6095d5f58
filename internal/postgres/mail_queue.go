package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// enqueueMail puts one message of kind on the outbox inside tx, so it is
// sent if and only if the change that caused it commits.
func enqueueMail(ctx context.Context, tx pgx.Tx, kind string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("queue %s mail: %w", kind, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO mail_queue (kind, payload) VALUES ($1, $2)`, kind, b); err != nil {
		return fmt.Errorf("queue %s mail: %w", kind, err)
	}
	return nil
}

// EnqueueMail queues one message on its own.
func (db *DB) EnqueueMail(ctx context.Context, kind string, payload any) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return enqueueMail(ctx, tx, kind, payload) })
}

// enqueueConfirmation queues the double opt-in email for what Subscribe
// just did in tx.
func enqueueConfirmation(ctx context.Context, tx pgx.Tx, res *bulletin.SubscribeResult) error {
	return enqueueMail(ctx, tx, bulletin.MailConfirm, bulletin.ConfirmMail{
		SubscriberID: res.Subscriber.ID, Email: res.Subscriber.Email,
		List: res.List.Slug, ListName: res.List.Name, Token: res.ConfirmToken,
		SenderName: res.Sender.Name, SenderEmail: res.Sender.Email,
	})
}

// enqueueWelcome queues the welcome email of subscriber s, who just joined
// list l through the public form, unless a newsletter of the list switched
// welcome emails off (migration 0125).
func enqueueWelcome(ctx context.Context, tx pgx.Tx, s *bulletin.Subscriber, l *bulletin.List) error {
	var off bool
	var nl string
	err := tx.QueryRow(ctx, `SELECT coalesce(bool_or(NOT n.welcome_email), false),
			coalesce((array_agg(n.slug ORDER BY n.is_default DESC, n.id))[1], '')
		FROM newsletter_lists nl JOIN newsletters n ON n.id = nl.newsletter_id WHERE nl.list_id = $1`, l.ID).Scan(&off, &nl)
	if err != nil {
		return fmt.Errorf("welcome switch: %w", err)
	}
	if off {
		return nil
	}
	sender, err := listSender(ctx, tx, l.ID)
	if err != nil {
		return fmt.Errorf("list sender: %w", err)
	}
	return enqueueMail(ctx, tx, bulletin.MailWelcome, bulletin.WelcomeMail{
		SubscriberID: s.ID, Email: s.Email, ListName: l.Name, Token: s.Token, Newsletter: nl,
		SenderName: sender.Name, SenderEmail: sender.Email,
	})
}

// ClaimMail leases up to n due messages for lease. A message whose lease
// expired (its sender died) is due again.
func (db *DB) ClaimMail(ctx context.Context, n int, lease time.Duration) ([]bulletin.QueuedMail, error) {
	rows, _ := db.Pool.Query(ctx, `UPDATE mail_queue q SET locked_until = now() + $2::interval, attempts = q.attempts + 1
		FROM (SELECT id FROM mail_queue
			WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
			ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
		WHERE q.id = due.id
		RETURNING q.id, q.kind, q.payload, q.attempts`, n, lease)
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bulletin.QueuedMail, error) {
		var m bulletin.QueuedMail
		err := r.Scan(&m.ID, &m.Kind, &m.Payload, &m.Attempts)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return ms, nil
}

// The updates below change a message only while this claim (its attempt
// number) still holds it: a sender whose lease expired cannot overwrite
// the outcome of the one that took over.

// MarkMailSent records a message as sent.
func (db *DB) MarkMailSent(ctx context.Context, m bulletin.QueuedMail) error {
	return db.settleMail(ctx, m, `status = 'sent', sent_at = now(), locked_until = NULL, last_error = ''`)
}

// RetryMail puts a message back for another attempt at the given time.
func (db *DB) RetryMail(ctx context.Context, m bulletin.QueuedMail, at time.Time, reason string) error {
	return db.settleMail(ctx, m, `next_attempt_at = $3, locked_until = NULL, last_error = $4`, at, reason)
}

// FailMail gives a message up.
func (db *DB) FailMail(ctx context.Context, m bulletin.QueuedMail, reason string) error {
	return db.settleMail(ctx, m, `status = 'failed', locked_until = NULL, last_error = $3`, reason)
}

// ReleaseMail returns a claimed message that was not tried (a stop) to the
// queue, without counting the attempt.
func (db *DB) ReleaseMail(ctx context.Context, m bulletin.QueuedMail) error {
	return db.settleMail(ctx, m, `locked_until = NULL, attempts = attempts - 1`)
}

func (db *DB) settleMail(ctx context.Context, m bulletin.QueuedMail, set string, args ...any) error {
	args = append([]any{m.ID, m.Attempts}, args...)
	if _, err := db.Pool.Exec(ctx, `UPDATE mail_queue SET `+set+` WHERE id = $1 AND attempts = $2 AND status = 'pending'`, args...); err != nil {
		return fmt.Errorf("mail %d: %w", m.ID, err)
	}
	return nil
}
