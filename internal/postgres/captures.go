package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/capture"

	"github.com/jackc/pgx/v5"
)

// SaveCapturedMessage keeps a message received by the built-in SMTP capture.
func (db *DB) SaveCapturedMessage(ctx context.Context, m *capture.Message) error {
	err := db.Pool.QueryRow(ctx, `INSERT INTO captured_messages (mail_from, rcpt_to, subject, data)
		VALUES ($1, $2, $3, $4) RETURNING id, received_at`, m.From, m.To, m.Subject, m.Data).Scan(&m.ID, &m.ReceivedAt)
	if err != nil {
		return fmt.Errorf("save captured message: %w", err)
	}
	return nil
}

// FindCapturedMessages returns the newest captured messages first, without
// their data.
func (db *DB) FindCapturedMessages(ctx context.Context, limit int) ([]capture.Message, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id, mail_from, rcpt_to, subject, ''::bytea AS data, received_at
		FROM captured_messages ORDER BY id DESC LIMIT $1`, limit)
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[capture.Message])
	if err != nil {
		return nil, fmt.Errorf("find captured messages: %w", err)
	}
	return ms, nil
}

// FindCapturedMessage returns one captured message with its raw data.
func (db *DB) FindCapturedMessage(ctx context.Context, id int64) (*capture.Message, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id, mail_from, rcpt_to, subject, data, received_at
		FROM captured_messages WHERE id = $1`, id)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[capture.Message])
	return m, mapErr(err, "captured message")
}

// CountCapturedMessages returns how many messages the capture holds.
func (db *DB) CountCapturedMessages(ctx context.Context) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM captured_messages`).Scan(&n)
	return n, err
}
