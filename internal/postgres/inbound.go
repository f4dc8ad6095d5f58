package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"bulletin/internal/inbound"

	"github.com/jackc/pgx/v5"
)

// AppSecret returns the named secret, generating it on first use. Two
// processes racing both insert; one wins and both read its value.
func (db *DB) AppSecret(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	var secret []byte
	err := db.Pool.QueryRow(ctx, `WITH ins AS (INSERT INTO app_secrets (name, secret) VALUES ($1, $2)
			ON CONFLICT (name) DO NOTHING RETURNING secret)
		SELECT secret FROM ins UNION ALL SELECT secret FROM app_secrets WHERE name = $1 LIMIT 1`, name, b).Scan(&secret)
	if err != nil {
		return nil, fmt.Errorf("app secret %s: %w", name, err)
	}
	return secret, nil
}

const inboundColumns = `id, source, received_at, dedupe_key, mail_from, rcpt_to, message_id, from_address, subject,
	size, raw, kind, effect, error, verified, processed_at IS NOT NULL, item_id, issue_id`

// SaveInbound stores m unless its dedupe key is stored already.
func (db *DB) SaveInbound(ctx context.Context, m *inbound.Message) (bool, error) {
	err := db.Pool.QueryRow(ctx, `INSERT INTO inbound_messages (source, dedupe_key, mail_from, rcpt_to, message_id,
			from_address, subject, size, raw, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce(nullif($10, ''), 'unknown'))
		ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, received_at`,
		m.Source, m.DedupeKey, m.MailFrom, m.RcptTo, m.MessageID, m.From, m.Subject, m.Size, m.Raw, m.Kind,
	).Scan(&m.ID, &m.ReceivedAt)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("save inbound message: %w", err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT id, received_at FROM inbound_messages WHERE dedupe_key = $1`, m.DedupeKey).Scan(&m.ID, &m.ReceivedAt); err != nil {
		return false, fmt.Errorf("save inbound message: find the stored copy: %w", err)
	}
	return false, nil
}

// FindInbound loads one message with its raw bytes.
func (db *DB) FindInbound(ctx context.Context, id int64) (*inbound.Message, error) {
	m := &inbound.Message{}
	err := db.Pool.QueryRow(ctx, `SELECT `+inboundColumns+` FROM inbound_messages WHERE id = $1`, id).Scan(
		&m.ID, &m.Source, &m.ReceivedAt, &m.DedupeKey, &m.MailFrom, &m.RcptTo, &m.MessageID, &m.From, &m.Subject,
		&m.Size, &m.Raw, &m.Kind, &m.Effect, &m.Error, &m.Verified, &m.Processed, &m.ItemID, &m.IssueID)
	if err != nil {
		return nil, mapErr(err, "inbound message")
	}
	return m, nil
}

// FailInbound records an error met while processing; the message stays
// unprocessed.
func (db *DB) FailInbound(ctx context.Context, id int64, msg string) error {
	if _, err := db.Pool.Exec(ctx, `UPDATE inbound_messages SET error = $2 WHERE id = $1 AND processed_at IS NULL`, id, msg); err != nil {
		return fmt.Errorf("record inbound error: %w", err)
	}
	return nil
}

// UnprocessedInbound lists stored messages not yet processed, oldest first.
func (db *DB) UnprocessedInbound(ctx context.Context, limit int) ([]int64, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id FROM inbound_messages WHERE processed_at IS NULL ORDER BY id LIMIT $1`, limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("unprocessed inbound messages: %w", err)
	}
	return ids, nil
}

// ReprocessInbound marks a message unprocessed, for "process again". Its
// effects were idempotent the first time and stay so: a failed delivery
// is not failed twice, an unsubscribe not repeated, and a contribution
// that became an item keeps it.
func (db *DB) ReprocessInbound(ctx context.Context, id int64) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE inbound_messages SET processed_at = NULL, error = '' WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("reprocess inbound message: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return mapErr(pgx.ErrNoRows, "inbound message")
	}
	return nil
}

// AllowReply counts one reply to address of kind and says whether it is
// within max per window; a window past its length starts again.
func (db *DB) AllowReply(ctx context.Context, address, kind string, max int, per time.Duration) (bool, error) {
	var sent int
	err := db.Pool.QueryRow(ctx, `INSERT INTO inbound_replies AS r (address, kind, window_start, sent) VALUES (lower($1), $2, now(), 1)
		ON CONFLICT (address, kind) DO UPDATE SET
			sent = CASE WHEN r.window_start < now() - $3 * interval '1 millisecond' THEN 1 ELSE r.sent + 1 END,
			window_start = CASE WHEN r.window_start < now() - $3 * interval '1 millisecond' THEN now() ELSE r.window_start END
		RETURNING sent`, address, kind, per.Milliseconds()).Scan(&sent)
	if err != nil {
		return false, fmt.Errorf("reply rate limit: %w", err)
	}
	return sent <= max, nil
}
