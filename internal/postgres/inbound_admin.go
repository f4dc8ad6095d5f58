package postgres

import (
	"context"
	"errors"
	"fmt"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"
	"bulletin/internal/inbound"

	"github.com/jackc/pgx/v5"
)

// FindInboundMessages lists messages newest first, without their raw
// bytes; kind "" lists every kind.
func (db *DB) FindInboundMessages(ctx context.Context, kind string, limit int) ([]inbound.Message, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id, source, received_at, mail_from, rcpt_to, message_id, from_address, subject,
			size, kind, effect, error, verified, processed_at IS NOT NULL, item_id, issue_id
		FROM inbound_messages WHERE $1 = '' OR kind = $1 ORDER BY received_at DESC, id DESC LIMIT $2`, kind, limit)
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (inbound.Message, error) {
		var m inbound.Message
		err := r.Scan(&m.ID, &m.Source, &m.ReceivedAt, &m.MailFrom, &m.RcptTo, &m.MessageID, &m.From, &m.Subject,
			&m.Size, &m.Kind, &m.Effect, &m.Error, &m.Verified, &m.Processed, &m.ItemID, &m.IssueID)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("find inbound messages: %w", err)
	}
	return ms, nil
}

// InboundIssueCounts gives the latest sent or sending issues' bounces and
// complaints against the messages delivered.
func (db *DB) InboundIssueCounts(ctx context.Context, limit int) ([]inbound.IssueCounts, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT i.id, n.slug, i.number, coalesce(c.sent, 0),
			(SELECT count(*) FROM inbound_messages m WHERE m.issue_id = i.id AND m.kind = 'bounce' AND m.status LIKE '5.%'),
			(SELECT count(*) FROM inbound_messages m WHERE m.issue_id = i.id AND m.kind = 'complaint')
		FROM issues i JOIN newsletters n ON n.id = i.newsletter_id LEFT JOIN delivery_counts c ON c.issue_id = i.id
		WHERE i.status IN ('sending', 'sent') ORDER BY i.started_at DESC NULLS LAST, i.id DESC LIMIT $1`, limit)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (inbound.IssueCounts, error) {
		var c inbound.IssueCounts
		err := r.Scan(&c.IssueID, &c.Newsletter, &c.Number, &c.Delivered, &c.Bounces, &c.Complaints)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbound issue counts: %w", err)
	}
	return out, nil
}

// AttachInboundItem stores it as a submitted item made from message id, in
// one transaction with the record on the message; a message already made
// an item is ECONFLICT. The sender, when a user, is its contributor.
func (db *DB) AttachInboundItem(ctx context.Context, id int64, it *bulletin.Item) error {
	it.Status = bulletin.ItemSubmitted
	if err := content.PrepareItem(it); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var item *int64
		var from string
		if err := tx.QueryRow(ctx, `SELECT item_id, from_address FROM inbound_messages WHERE id = $1 FOR UPDATE`, id).Scan(&item, &from); err != nil {
			return mapErr(err, "inbound message")
		}
		if item != nil {
			return bulletin.Errorf(bulletin.ECONFLICT, "message %d is already item %d", id, *item)
		}
		var uid int64
		err := tx.QueryRow(ctx, `SELECT id FROM users WHERE lower(email) = lower($1)`, from).Scan(&uid)
		if err == nil {
			it.ContributorID = &uid
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := insertItem(ctx, tx, it); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE inbound_messages SET item_id = $2::bigint,
			effect = effect || CASE WHEN effect = '' THEN '' ELSE '; ' END || 'made item ' || $2::bigint::text || ' by an editor'
			WHERE id = $1`, id, it.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("make an item of inbound message %d: %w", id, err)
	}
	return nil
}
