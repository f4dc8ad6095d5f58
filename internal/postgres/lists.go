package postgres

import (
	"context"
	"errors"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// subQuerier is what both the pool and a transaction offer.
type subQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

const listColumns = `id, slug, name, description, public, double_optin, created_at, updated_at`

// FindLists returns every list by slug.
func (db *DB) FindLists(ctx context.Context) ([]bulletin.List, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+listColumns+` FROM lists ORDER BY slug`)
	ls, err := pgx.CollectRows(rows, pgx.RowToStructByName[bulletin.List])
	if err != nil {
		return nil, fmt.Errorf("find lists: %w", err)
	}
	return ls, nil
}

// FindListBySlug returns one list.
func (db *DB) FindListBySlug(ctx context.Context, slug string) (*bulletin.List, error) {
	return findList(ctx, db.Pool, slug)
}

func findList(ctx context.Context, q subQuerier, slug string) (*bulletin.List, error) {
	rows, _ := q.Query(ctx, `SELECT `+listColumns+` FROM lists WHERE slug = $1`, slug)
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.List])
	return l, mapErr(err, fmt.Sprintf("list %q", slug))
}

// CreateList validates and inserts l, filling its ID and times.
func (db *DB) CreateList(ctx context.Context, l *bulletin.List) error {
	if err := l.Validate(); err != nil {
		return err
	}
	err := db.Pool.QueryRow(ctx, `INSERT INTO lists (slug, name, description, public, double_optin)
		VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at, updated_at`,
		l.Slug, l.Name, l.Description, l.Public, l.DoubleOptin).Scan(&l.ID, &l.CreatedAt, &l.UpdatedAt)
	return mapErr(err, fmt.Sprintf("list %q", l.Slug))
}

// UpdateList applies upd to the list named by slug.
func (db *DB) UpdateList(ctx context.Context, slug string, upd bulletin.ListUpdate) (*bulletin.List, error) {
	var l *bulletin.List
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if l, err = findList(ctx, tx, slug); err != nil {
			return err
		}
		if err := upd.Apply(l); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `UPDATE lists SET name = $2, description = $3, public = $4,
			double_optin = $5, updated_at = now() WHERE id = $1 RETURNING updated_at`,
			l.ID, l.Name, l.Description, l.Public, l.DoubleOptin).Scan(&l.UpdatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("update list: %w", err)
	}
	return l, nil
}

// DeleteList removes a list and its memberships; subscribers stay.
func (db *DB) DeleteList(ctx context.Context, slug string) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM lists WHERE slug = $1`, slug)
	if err != nil {
		return fmt.Errorf("delete list: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bulletin.Errorf(bulletin.ENOTFOUND, "list %q not found", slug)
	}
	return nil
}

// CountList returns the list's members by subscription status, as kept
// by the triggers of migration 0180 (a list with no row has none).
func (db *DB) CountList(ctx context.Context, slug string) (bulletin.ListCounts, error) {
	var c bulletin.ListCounts
	err := db.Pool.QueryRow(ctx, `SELECT coalesce(c.active, 0), coalesce(c.pending, 0), coalesce(c.unsubscribed, 0)
		FROM lists l LEFT JOIN list_counts c ON c.list_id = l.id
		WHERE l.slug = $1`, slug).Scan(&c.Active, &c.Pending, &c.Unsubscribed)
	return c, mapErr(err, fmt.Sprintf("list %q", slug))
}

// AttachListToDefaultNewsletter puts the list on the default newsletter's
// lists, creating a minimal default newsletter ("weekly") when none exists
// yet. Idempotent; the demo uses it.
func (db *DB) AttachListToDefaultNewsletter(ctx context.Context, slug string) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO newsletters (slug, name, is_default)
			SELECT 'weekly', 'Weekly update', true
			WHERE NOT EXISTS (SELECT 1 FROM newsletters WHERE is_default)
			ON CONFLICT DO NOTHING`)
		if err != nil {
			return fmt.Errorf("ensure default newsletter: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO newsletter_lists (newsletter_id, list_id)
			SELECT n.id, l.id FROM newsletters n, lists l WHERE n.is_default AND l.slug = $1
			ON CONFLICT DO NOTHING`, slug)
		if err != nil {
			return fmt.Errorf("attach list: %w", err)
		}
		return nil
	})
}

// listSender returns who a list's mail comes from: the sender of a
// newsletter it belongs to, the default newsletter first.
func listSender(ctx context.Context, q subQuerier, listID int64) (bulletin.Sender, error) {
	var s bulletin.Sender
	err := q.QueryRow(ctx, `SELECT n.from_name, n.from_email FROM newsletters n
		JOIN newsletter_lists nl ON nl.newsletter_id = n.id
		WHERE nl.list_id = $1 ORDER BY n.is_default DESC, n.id LIMIT 1`, listID).Scan(&s.Name, &s.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	return s, err
}

// AddSubscriber implements bulletin.SubscriberService: an address put on a
// list by a user rather than by its owner's sign-up. Only admins (and the
// operator, by nil) may add it already confirmed; otherwise double opt-in
// lists send their confirmation email as for any sign-up.
func (db *DB) AddSubscriber(ctx context.Context, req bulletin.SubscribeRequest, by *bulletin.User) (*bulletin.SubscribeResult, error) {
	if req.Confirmed && by != nil && !by.IsAdmin() {
		return nil, bulletin.Errorf(bulletin.EFORBIDDEN, "only admins may add confirmed subscribers")
	}
	req.Method = bulletin.ConsentAPI
	if req.Confirmed {
		req.Method = bulletin.ConsentAdmin
	}
	return db.Subscribe(ctx, req)
}
