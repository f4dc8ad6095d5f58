package postgres

import (
	"context"
	"fmt"
	"strings"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// RequestReset records a "forgot password" request. It does the same
// work, one insert, for any address, so neither its answer nor its time
// tells whether the address has an account; ProcessResetRequests queues
// the email later.
func (db *DB) RequestReset(ctx context.Context, email string) error {
	email = strings.TrimSpace(email)
	if email == "" || len(email) > bulletin.MaxEmailLen {
		return bulletin.Errorf(bulletin.EINVALID, "email: enter the address you log in with")
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO reset_requests (email) VALUES ($1)`, email); err != nil {
		return fmt.Errorf("reset request: %w", err)
	}
	return nil
}

// ProcessResetRequests takes up to n requests: for an address with an
// account it stores a one-time link, valid bulletin.ResetTTL, and queues
// its email, in the transaction that deletes the request. Requests for
// unknown addresses are deleted without a trace. Concurrent callers take
// different requests (SKIP LOCKED). It returns how many it took.
func (db *DB) ProcessResetRequests(ctx context.Context, n int) (int, error) {
	var done int
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `DELETE FROM reset_requests WHERE id IN (
			SELECT id FROM reset_requests ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING email`, n)
		emails, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		done = len(emails)
		for _, e := range emails {
			var id int64
			var name, addr string
			err := tx.QueryRow(ctx, `SELECT id, name, email FROM users WHERE lower(email) = lower($1) FOR UPDATE`, e).Scan(&id, &name, &addr)
			if err == pgx.ErrNoRows {
				continue
			}
			if err != nil {
				return err
			}
			token, err := newLink(ctx, tx, id, bulletin.LinkReset, bulletin.ResetTTL)
			if err != nil {
				return err
			}
			err = enqueueMail(ctx, tx, bulletin.MailReset, bulletin.NoticeMail{To: addr, Name: name,
				Values: map[string]any{"Path": "/reset/" + token, "Minutes": int(bulletin.ResetTTL.Minutes())}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("process reset requests: %w", err)
	}
	return done, nil
}

// ScrubSentLinks removes the one-time link from account emails the outbox
// has finished with (sent or failed), so that the table keeps no usable
// token: account_links holds only hashes, the queue held the token only
// until the email left. It returns how many it scrubbed.
func (db *DB) ScrubSentLinks(ctx context.Context) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE mail_queue SET payload = jsonb_set(payload, '{values,Path}', '"(removed after sending)"')
		WHERE kind IN ($1, $2) AND status <> 'pending' AND payload->'values'->>'Path' <> '(removed after sending)'`,
		bulletin.MailInvite, bulletin.MailReset)
	if err != nil {
		return 0, fmt.Errorf("scrub sent links: %w", err)
	}
	return tag.RowsAffected(), nil
}
