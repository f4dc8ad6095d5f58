package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"

	"github.com/jackc/pgx/v5"
)

const sectionColumns = `id, newsletter_id, slug, name, position`

// FindSections returns a newsletter's sections in order.
func (db *DB) FindSections(ctx context.Context, newsletter string) ([]*bulletin.Section, error) {
	n, err := db.FindNewsletterBySlug(ctx, newsletter)
	if err != nil {
		return nil, err
	}
	rows, _ := db.Pool.Query(ctx, `SELECT `+sectionColumns+` FROM sections WHERE newsletter_id = $1 ORDER BY position, id`, n.ID)
	ss, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[bulletin.Section])
	if err != nil {
		return nil, fmt.Errorf("find sections: %w", err)
	}
	return ss, nil
}

// FindSection returns one section of a newsletter.
func (db *DB) FindSection(ctx context.Context, newsletter, slug string) (*bulletin.Section, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT s.id, s.newsletter_id, s.slug, s.name, s.position FROM sections s
		JOIN newsletters n ON n.id = s.newsletter_id WHERE n.slug = $1 AND s.slug = $2`, newsletter, slug)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Section])
	return s, mapErr(err, "section")
}

// CreateSection adds s to the newsletter, at s.Position (1-based) or last
// when 0; the sections after it move down.
func (db *DB) CreateSection(ctx context.Context, newsletter string, s *bulletin.Section) error {
	if err := content.PrepareSection(s); err != nil {
		return err
	}
	n, err := db.FindNewsletterBySlug(ctx, newsletter)
	if err != nil {
		return err
	}
	s.NewsletterID = n.ID
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockOrder(ctx, tx, n.ID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO sections (newsletter_id, slug, name, position)
			VALUES ($1, $2, $3, 2147483647) RETURNING id`, n.ID, s.Slug, s.Name).Scan(&s.ID)
		if err != nil {
			return mapErr(err, "section "+s.Slug)
		}
		s.Position, err = placeSection(ctx, tx, n.ID, s.ID, s.Position)
		return err
	})
	if err != nil {
		return fmt.Errorf("create section: %w", err)
	}
	return nil
}

// UpdateSection renames or moves a section.
func (db *DB) UpdateSection(ctx context.Context, newsletter, slug string, upd bulletin.SectionUpdate) (*bulletin.Section, error) {
	s, err := db.FindSection(ctx, newsletter, slug)
	if err != nil {
		return nil, err
	}
	if upd.Name != nil {
		s.Name = *upd.Name
	}
	if err := content.PrepareSection(s); err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockOrder(ctx, tx, s.NewsletterID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE sections SET name = $2 WHERE id = $1`, s.ID, s.Name); err != nil {
			return err
		}
		if upd.Position != nil {
			s.Position, err = placeSection(ctx, tx, s.NewsletterID, s.ID, *upd.Position)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update section: %w", err)
	}
	return s, nil
}

// placeSection puts section id at position want (clamped; 0 = last) and
// renumbers the newsletter's sections 1..n. The caller holds lockOrder.
func placeSection(ctx context.Context, tx pgx.Tx, newsletterID, id int64, want int) (int, error) {
	rows, _ := tx.Query(ctx, `SELECT id FROM sections WHERE newsletter_id = $1 AND id <> $2 ORDER BY position, id`, newsletterID, id)
	others, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	ids, pos := insertAt(others, id, want)
	_, err = tx.Exec(ctx, `UPDATE sections s SET position = v.pos
		FROM unnest($1::bigint[], $2::int[]) AS v(id, pos) WHERE s.id = v.id AND s.position <> v.pos`, ids, positions(len(ids)))
	return pos, err
}
