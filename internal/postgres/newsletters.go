package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"

	"github.com/jackc/pgx/v5"
)

const newsletterColumns = `id, slug, name, description, from_name, from_email, reply_to, schedule,
	subject_template, intro, auto_send, send_delay, last_number, is_default, welcome_email,
	logo_url, accent_color, org_name, org_address, created_at, updated_at,
	coalesce((SELECT array_agg(l.slug ORDER BY l.slug) FROM newsletter_lists nl JOIN lists l ON l.id = nl.list_id
		WHERE nl.newsletter_id = newsletters.id), '{}') AS lists`

// newsletterRow scans Lists, which the domain type keeps out of db tags.
type newsletterRow struct {
	bulletin.Newsletter
	ListSlugs []string `db:"lists"`
}

func scanNewsletters(rows pgx.Rows) ([]*bulletin.Newsletter, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*bulletin.Newsletter, error) {
		r, err := pgx.RowToStructByName[newsletterRow](row)
		if err != nil {
			return nil, err
		}
		r.Newsletter.Lists = r.ListSlugs
		return &r.Newsletter, nil
	})
}

// EnsureDefaultNewsletter creates the default "weekly" newsletter unless
// some newsletter is already the default, and returns the default. Several
// processes starting at once are safe: the unique indexes decide.
func (db *DB) EnsureDefaultNewsletter(ctx context.Context) (*bulletin.Newsletter, error) {
	_, err := db.Pool.Exec(ctx, `INSERT INTO newsletters (slug, name, is_default)
		SELECT $1, 'Weekly update', true WHERE NOT EXISTS (SELECT 1 FROM newsletters WHERE is_default)
		ON CONFLICT DO NOTHING`, bulletin.DefaultNewsletterSlug)
	if err != nil {
		return nil, fmt.Errorf("ensure default newsletter: %w", err)
	}
	return db.FindDefaultNewsletter(ctx)
}

// FindDefaultNewsletter returns the newsletter items go to when none is named.
func (db *DB) FindDefaultNewsletter(ctx context.Context) (*bulletin.Newsletter, error) {
	return db.findNewsletter(ctx, db.Pool, `WHERE is_default`, nil)
}

// FindNewsletterBySlug returns one newsletter.
func (db *DB) FindNewsletterBySlug(ctx context.Context, slug string) (*bulletin.Newsletter, error) {
	return db.findNewsletter(ctx, db.Pool, `WHERE slug = $1`, slug)
}

// FindNewsletterByID returns one newsletter.
func (db *DB) FindNewsletterByID(ctx context.Context, id int64) (*bulletin.Newsletter, error) {
	return db.findNewsletter(ctx, db.Pool, `WHERE id = $1`, id)
}

func (db *DB) findNewsletter(ctx context.Context, q querier, where string, arg any) (*bulletin.Newsletter, error) {
	args := []any{}
	if arg != nil {
		args = append(args, arg)
	}
	rows, _ := q.Query(ctx, `SELECT `+newsletterColumns+` FROM newsletters `+where, args...)
	ns, err := scanNewsletters(rows)
	if err != nil {
		return nil, fmt.Errorf("find newsletter: %w", err)
	}
	if len(ns) == 0 {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "newsletter not found")
	}
	return ns[0], nil
}

// FindNewsletters returns every newsletter, the default first.
func (db *DB) FindNewsletters(ctx context.Context) ([]*bulletin.Newsletter, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+newsletterColumns+` FROM newsletters ORDER BY is_default DESC, slug`)
	ns, err := scanNewsletters(rows)
	if err != nil {
		return nil, fmt.Errorf("find newsletters: %w", err)
	}
	return ns, nil
}

// CreateNewsletter validates and adds n with its lists.
func (db *DB) CreateNewsletter(ctx context.Context, n *bulletin.Newsletter) error {
	if err := content.PrepareNewsletter(n); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if n.IsDefault {
			if _, err := tx.Exec(ctx, `UPDATE newsletters SET is_default = false WHERE is_default`); err != nil {
				return fmt.Errorf("create newsletter: %w", err)
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO newsletters (slug, name, description, from_name, from_email, reply_to,
			schedule, subject_template, intro, auto_send, send_delay, is_default, welcome_email,
			logo_url, accent_color, org_name, org_address)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			RETURNING id, created_at, updated_at`,
			n.Slug, n.Name, n.Description, n.FromName, n.FromEmail, n.ReplyTo, n.Schedule, n.SubjectTemplate,
			n.Intro, n.AutoSend, n.SendDelay, n.IsDefault, n.WelcomeEmail,
			n.LogoURL, n.AccentColor, n.OrgName, n.OrgAddress).Scan(&n.ID, &n.CreatedAt, &n.UpdatedAt)
		if err != nil {
			return fmt.Errorf("create newsletter: %w", mapErr(err, "newsletter "+n.Slug))
		}
		return setNewsletterLists(ctx, tx, n)
	})
}

// UpdateNewsletter changes the newsletter named by slug. The slug itself
// never changes: archive links are built from it.
func (db *DB) UpdateNewsletter(ctx context.Context, slug string, upd bulletin.NewsletterUpdate) (*bulletin.Newsletter, error) {
	if upd.Slug != nil && *upd.Slug != slug {
		return nil, bulletin.Errorf(bulletin.EINVALID, "slug: cannot change (archive links use it)")
	}
	var n *bulletin.Newsletter
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if n, err = db.findNewsletter(ctx, tx, `WHERE slug = $1 FOR NO KEY UPDATE`, slug); err != nil {
			return err
		}
		upd.Apply(n)
		if upd.IsDefault != nil && !*upd.IsDefault {
			return bulletin.Errorf(bulletin.EINVALID, "is_default: make another newsletter the default instead")
		}
		if err := content.PrepareNewsletter(n); err != nil {
			return err
		}
		if n.IsDefault {
			if _, err := tx.Exec(ctx, `UPDATE newsletters SET is_default = false WHERE is_default AND id <> $1`, n.ID); err != nil {
				return err
			}
		}
		err = tx.QueryRow(ctx, `UPDATE newsletters SET name = $2, description = $3, from_name = $4, from_email = $5,
			reply_to = $6, schedule = $7, subject_template = $8, intro = $9, auto_send = $10, send_delay = $11,
			is_default = $12, welcome_email = $13, logo_url = $14, accent_color = $15, org_name = $16,
			org_address = $17, updated_at = now() WHERE id = $1 RETURNING updated_at`,
			n.ID, n.Name, n.Description, n.FromName, n.FromEmail, n.ReplyTo, n.Schedule, n.SubjectTemplate,
			n.Intro, n.AutoSend, n.SendDelay, n.IsDefault, n.WelcomeEmail,
			n.LogoURL, n.AccentColor, n.OrgName, n.OrgAddress).Scan(&n.UpdatedAt)
		if err != nil {
			return mapErr(err, "newsletter")
		}
		if upd.Lists != nil {
			return setNewsletterLists(ctx, tx, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update newsletter %s: %w", slug, err)
	}
	return n, nil
}

// setNewsletterLists replaces n's lists by n.Lists (slugs); an unknown slug
// is EINVALID.
func setNewsletterLists(ctx context.Context, tx pgx.Tx, n *bulletin.Newsletter) error {
	if n.Lists == nil {
		n.Lists = []string{}
	}
	type found struct {
		ID   int64
		Slug string
	}
	rows, _ := tx.Query(ctx, `SELECT id, slug FROM lists WHERE slug = ANY($1)`, n.Lists)
	fs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[found])
	if err != nil {
		return fmt.Errorf("newsletter lists: %w", err)
	}
	known := map[string]int64{}
	for _, f := range fs {
		known[f.Slug] = f.ID
	}
	var ids []int64
	for _, l := range n.Lists {
		id, ok := known[l]
		if !ok {
			return bulletin.Errorf(bulletin.EINVALID, "lists: unknown list %q", l)
		}
		ids = append(ids, id)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM newsletter_lists WHERE newsletter_id = $1`, n.ID); err != nil {
		return fmt.Errorf("newsletter lists: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO newsletter_lists (newsletter_id, list_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, n.ID, ids); err != nil {
		return fmt.Errorf("newsletter lists: %w", err)
	}
	rows, _ = tx.Query(ctx, `SELECT l.slug FROM newsletter_lists nl JOIN lists l ON l.id = nl.list_id
		WHERE nl.newsletter_id = $1 ORDER BY l.slug`, n.ID)
	n.Lists, err = pgx.CollectRows(rows, pgx.RowTo[string])
	return err
}

// querier is what pool and transaction share.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}
