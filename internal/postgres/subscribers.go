package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

const subscriberColumns = `id, email, name, status, token, created_at, updated_at`

// newToken returns 16 random bytes as base64url (22 characters, 128 bits):
// never derived from the address, safe in URLs and mail headers.
func newToken() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// FindSubscriberByID returns one subscriber.
func (db *DB) FindSubscriberByID(ctx context.Context, id int64) (*bulletin.Subscriber, error) {
	return findSubscriber(ctx, db.Pool, `id = $1`, id)
}

// FindSubscriberByToken returns the subscriber whose personal links carry
// token, or the token of a row merged into it (migration 0060).
func (db *DB) FindSubscriberByToken(ctx context.Context, token string) (*bulletin.Subscriber, error) {
	return findSubscriber(ctx, db.Pool, byToken, token, tokenID(token))
}

// byToken finds a subscriber by its token ($1) and the id an imported
// token starts with ($2, tokenID): a random token through its index, an
// imported one through the primary key (migration 0061), or the token of
// a row that differed only by case and was merged into it.
const byToken = `id = coalesce(
	(SELECT id FROM subscribers WHERE length(token) <> 34 AND token = $1),
	(SELECT id FROM subscribers WHERE id = $2 AND token = $1),
	(SELECT subscriber_id FROM subscriber_tokens_merged WHERE token = $1))`

// tokenID returns the subscriber id an imported token starts with (12 hex
// digits before 22 random characters), or 0.
func tokenID(token string) int64 {
	if len(token) != 34 {
		return 0
	}
	id, err := strconv.ParseInt(token[:12], 16, 64)
	if err != nil {
		return 0
	}
	return id
}

func findSubscriber(ctx context.Context, q subQuerier, where string, args ...any) (*bulletin.Subscriber, error) {
	rows, _ := q.Query(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE `+where, args...)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Subscriber])
	return s, mapErr(err, "subscriber")
}

// FindSubscribers looks subscribers up with their memberships: by address
// when email is set (zero or one result), otherwise the first limit after
// the id after.
func (db *DB) FindSubscribers(ctx context.Context, email string, after int64, limit int) ([]bulletin.SubscriberDetail, error) {
	var rows pgx.Rows
	if email != "" {
		norm, err := bulletin.NormalizeEmail(email)
		if err != nil {
			return nil, err
		}
		rows, _ = db.Pool.Query(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE lower(email COLLATE "C") = lower($1::text COLLATE "C")`, norm)
	} else {
		rows, _ = db.Pool.Query(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	}
	subs, err := pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.Subscriber])
	if err != nil {
		return nil, fmt.Errorf("find subscribers: %w", err)
	}
	return db.withMemberships(ctx, subs)
}

// withMemberships returns each subscriber with their lists.
func (db *DB) withMemberships(ctx context.Context, subs []bulletin.Subscriber) ([]bulletin.SubscriberDetail, error) {
	out := make([]bulletin.SubscriberDetail, len(subs))
	for i, s := range subs {
		out[i].Subscriber = s
		var err error
		if out[i].Lists, err = memberships(ctx, db.Pool, s.ID, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// memberships returns the subscriber's lists, plus every public list when
// withPublic (the preference page offers those).
func memberships(ctx context.Context, q subQuerier, subscriberID int64, withPublic bool) ([]bulletin.Membership, error) {
	rows, err := q.Query(ctx, `SELECT l.id, l.slug, l.name, l.description, l.public, l.double_optin,
			l.created_at, l.updated_at, coalesce(s.status, '')
		FROM lists l LEFT JOIN subscriptions s ON s.list_id = l.id AND s.subscriber_id = $1
		WHERE s.subscriber_id IS NOT NULL OR ($2 AND l.public)
		ORDER BY l.name, l.slug`, subscriberID, withPublic)
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bulletin.Membership, error) {
		var m bulletin.Membership
		l := &m.List
		err := r.Scan(&l.ID, &l.Slug, &l.Name, &l.Description, &l.Public, &l.DoubleOptin, &l.CreatedAt, &l.UpdatedAt, &m.Status)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	return out, nil
}

// EraseSubscriber deletes the subscriber and so every piece of personal
// data: memberships cascade, deliveries keep their counts with
// subscriber_id set to NULL.
func (db *DB) EraseSubscriber(ctx context.Context, id int64) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM subscribers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("erase subscriber: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bulletin.Errorf(bulletin.ENOTFOUND, "subscriber not found")
	}
	return nil
}

// ipOrNil turns a consent IP into an inet parameter; junk becomes NULL.
func ipOrNil(s string) any {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return nil
	}
	return a
}
