package postgres

import (
	"context"
	"fmt"
	"strings"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// SearchSubscribers finds subscribers whose address or name contains q
// (case-insensitive), the exact address first, then by address.
func (db *DB) SearchSubscribers(ctx context.Context, q string, limit int) ([]bulletin.SubscriberDetail, error) {
	q = strings.TrimSpace(q)
	if q == "" || len(q) > 254 {
		return nil, bulletin.Errorf(bulletin.EINVALID, "q: must be 1 to 254 characters")
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
	rows, _ := db.Pool.Query(ctx, `SELECT `+subscriberColumns+` FROM subscribers
		WHERE lower(email) LIKE $1 OR lower(name) LIKE $1
		ORDER BY lower(email) = lower($2) DESC, email LIMIT $3`, like, q, limit)
	subs, err := pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.Subscriber])
	if err != nil {
		return nil, fmt.Errorf("search subscribers: %w", err)
	}
	return db.withMemberships(ctx, subs)
}

// SubscriberRecord returns one subscriber with their consent per list,
// their last deliveries and the bounces and complaints received for them.
func (db *DB) SubscriberRecord(ctx context.Context, id int64) (*bulletin.SubscriberRecord, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id = $1`, id)
	sub, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[bulletin.Subscriber])
	if err == pgx.ErrNoRows {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "subscriber not found")
	}
	if err != nil {
		return nil, fmt.Errorf("subscriber record: %w", err)
	}
	rec := &bulletin.SubscriberRecord{Subscriber: sub}
	if err := db.Pool.QueryRow(ctx, `SELECT hard_bounces FROM subscribers WHERE id = $1`, id).Scan(&rec.HardBounces); err != nil {
		return nil, fmt.Errorf("subscriber record: %w", err)
	}
	rows, _ = db.Pool.Query(ctx, `SELECT l.name AS list, s.status, s.consent_at, s.consent_method,
			coalesce(host(s.consent_ip), '') AS consent_ip, s.confirmed_at, coalesce(host(s.confirm_ip), '') AS confirm_ip, s.unsubscribed_at
		FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE s.subscriber_id = $1 ORDER BY l.name`, id)
	if rec.Consents, err = pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.ConsentRecord]); err != nil {
		return nil, fmt.Errorf("subscriber consent: %w", err)
	}
	// The last 50 issues they were sent, newest first, each read from its
	// own partition of deliveries (subscriberHistory).
	rows, _ = db.Pool.Query(ctx, subscriberHistory(`n.name AS newsletter, i.number, d.status, d.attempts, d.last_reply, d.sent_at`,
		`JOIN issues i ON i.id = d.issue_id JOIN newsletters n ON n.id = i.newsletter_id`), id, nil, nil, 50)
	if rec.Deliveries, err = pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.SubscriberDelivery]); err != nil {
		return nil, fmt.Errorf("subscriber deliveries: %w", err)
	}
	rows, _ = db.Pool.Query(ctx, `SELECT id, received_at, kind, status, diagnostic, permanent, effect
		FROM inbound_messages WHERE subscriber_id = $1 AND kind IN ('bounce', 'complaint', 'unsubscribe')
		ORDER BY received_at DESC LIMIT 50`, id)
	if rec.Inbound, err = pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.SubscriberInbound]); err != nil {
		return nil, fmt.Errorf("subscriber inbound: %w", err)
	}
	return rec, nil
}
