package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"

	"github.com/jackc/pgx/v5"
)

// UpdateItem changes an item's fields and place. When upd.By is set the
// change is checked against that user's rights under the row lock, so a
// contributor cannot edit an item an editor approved a moment ago. An item
// already in an unsent issue is corrected in place and the issue rendered
// again (db.RenderIssue) in the same transaction.
func (db *DB) UpdateItem(ctx context.Context, id int64, upd bulletin.ItemUpdate) (*bulletin.Item, error) {
	var out *bulletin.Item
	err := db.lockedItem(ctx, id, upd.Newsletter, func(tx pgx.Tx, it *bulletin.Item) error {
		if it.IssueID != nil {
			if err := db.correctItem(ctx, tx, it, upd, db.RenderIssue); err != nil {
				return err
			}
			var err error
			out, err = findItem(ctx, tx, id, false)
			return err
		}
		if upd.By != nil {
			if err := upd.By.CheckItemChange(it); err != nil {
				return err
			}
			if upd.Position != nil && !upd.By.CanEdit() {
				return bulletin.Errorf(bulletin.EFORBIDDEN, "only editors reorder items")
			}
		}
		oldNL, oldSec, oldPos := it.NewsletterID, it.SectionID, it.Position
		applyItemUpdate(it, upd)
		if err := content.PrepareItem(it); err != nil {
			return err
		}
		nl, sec := oldNL, oldSec
		if upd.Newsletter != nil || upd.Section != nil {
			var err error
			if nl, sec, err = resolvePlace(ctx, tx, it.Newsletter, it.Section); err != nil {
				return err
			}
		}
		moved := nl != oldNL || !sameID(sec, oldSec)
		_, err := tx.Exec(ctx, `UPDATE items SET newsletter_id = $2, section_id = $3, kind = $4, title = $5, body = $6,
			body_html = $7, url = $8, source = $9, closing = $10, updated_at = now() WHERE id = $1`,
			id, nl, sec, it.Kind, it.Title, it.Body, it.BodyHTML, it.URL, it.Source, it.Closing)
		if err != nil {
			return mapErr(err, "item")
		}
		switch {
		case moved:
			want := 0
			if upd.Position != nil {
				want = *upd.Position
			}
			if _, err := placeItem(ctx, tx, oldNL, oldSec, 0, 0); err != nil {
				return err
			}
			_, err = placeItem(ctx, tx, nl, sec, id, want)
		case upd.Position != nil && *upd.Position != oldPos:
			_, err = placeItem(ctx, tx, nl, sec, id, *upd.Position)
		}
		if err != nil {
			return err
		}
		out, err = findItem(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update item %d: %w", id, err)
	}
	return out, nil
}

func applyItemUpdate(it *bulletin.Item, u bulletin.ItemUpdate) {
	for _, f := range []struct {
		dst *string
		src *string
	}{{&it.Title, u.Title}, {&it.Body, u.Body}, {&it.URL, u.URL}, {&it.Source, u.Source}, {&it.Kind, u.Kind}, {&it.Newsletter, u.Newsletter}, {&it.Section, u.Section}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if u.Newsletter != nil && u.Section == nil {
		it.Section = ""
	}
	if u.Closing != nil {
		it.Closing = *u.Closing
	}
}

// correctItem changes the wording of an item already in an issue, in
// place, while the issue is a draft or scheduled, and renders the issue
// again with build in the same transaction, so the preview and what will
// be sent show the correction or neither changes.
func (db *DB) correctItem(ctx context.Context, tx pgx.Tx, it *bulletin.Item, upd bulletin.ItemUpdate, build bulletin.IssueRenderer) error {
	check := upd.CheckInPlace(it)
	if upd.By != nil {
		check = upd.By.CheckItemCorrection(it, upd)
	}
	if check != nil {
		return check
	}
	upd.Newsletter, upd.Section, upd.Position = nil, nil, nil // checked above: they move nothing
	applyItemUpdate(it, upd)
	if err := content.PrepareItem(it); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE items SET kind = $2, title = $3, body = $4, body_html = $5, url = $6, source = $7,
		closing = $8, updated_at = now() WHERE id = $1`, it.ID, it.Kind, it.Title, it.Body, it.BodyHTML, it.URL, it.Source, it.Closing)
	if err != nil {
		return mapErr(err, "item")
	}
	_, err = db.renderItemIssue(ctx, tx, *it.IssueID, build)
	return err
}

// DeleteItem removes an item and closes the gap it leaves. by, when set,
// must be allowed to change it.
func (db *DB) DeleteItem(ctx context.Context, id int64, by *bulletin.User) error {
	err := db.lockedItem(ctx, id, nil, func(tx pgx.Tx, it *bulletin.Item) error {
		if by != nil {
			if err := by.CheckItemChange(it); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM items WHERE id = $1`, id); err != nil {
			return err
		}
		if it.IssueID != nil {
			return nil
		}
		_, err := placeItem(ctx, tx, it.NewsletterID, it.SectionID, 0, 0)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete item %d: %w", id, err)
	}
	return nil
}

// ReviewItem approves or rejects an item (see bulletin.CheckReview) with an
// optional note, recording the reviewer.
func (db *DB) ReviewItem(ctx context.Context, id int64, status, note string, by *bulletin.User) (*bulletin.Item, error) {
	if by != nil && !by.CanEdit() {
		return nil, bulletin.Errorf(bulletin.EFORBIDDEN, "only editors review items")
	}
	note, err := content.Note(note)
	if err != nil {
		return nil, err
	}
	var out *bulletin.Item
	err = db.lockedItem(ctx, id, nil, func(tx pgx.Tx, it *bulletin.Item) error {
		if err := bulletin.CheckReview(it, status); err != nil {
			return err
		}
		var reviewer *int64
		if by != nil {
			reviewer = &by.ID
		}
		_, err := tx.Exec(ctx, `UPDATE items SET status = $2, review_note = $3, reviewed_by = $4,
			approved_at = CASE WHEN $2 = 'approved' THEN now() END, updated_at = now() WHERE id = $1`,
			id, status, note, reviewer)
		if err != nil {
			return err
		}
		if out, err = findItem(ctx, tx, id, false); err != nil {
			return err
		}
		return enqueueReviewed(ctx, tx, out, by) // notify.go
	})
	if err != nil {
		return nil, fmt.Errorf("review item %d: %w", id, err)
	}
	return out, nil
}

// lockedItem runs fn in a transaction holding the ordering lock of the
// item's newsletter (and of newsletter, when it moves there) and a row lock
// on the item.
func (db *DB) lockedItem(ctx context.Context, id int64, newsletter *string, fn func(pgx.Tx, *bulletin.Item) error) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var nl int64
		if err := tx.QueryRow(ctx, `SELECT newsletter_id FROM items WHERE id = $1`, id).Scan(&nl); err != nil {
			return mapErr(err, "item")
		}
		locks := []int64{nl}
		if newsletter != nil {
			var other int64
			err := tx.QueryRow(ctx, `SELECT id FROM newsletters WHERE slug = $1`, *newsletter).Scan(&other)
			if err == nil && other != nl {
				locks = append(locks, other)
			}
		}
		if len(locks) == 2 && locks[1] < locks[0] {
			locks[0], locks[1] = locks[1], locks[0]
		}
		if err := lockOrder(ctx, tx, locks...); err != nil {
			return err
		}
		it, err := findItem(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if it.NewsletterID != nl {
			return bulletin.Errorf(bulletin.ECONFLICT, "item moved while being changed; try again")
		}
		return fn(tx, it)
	})
}

// placeItem puts item id at 1-based position want (0 = last; none when id
// is 0) among the unissued items of one newsletter section and renumbers
// them 1..n, returning id's position. The caller holds lockOrder.
func placeItem(ctx context.Context, tx pgx.Tx, newsletterID int64, sectionID *int64, id int64, want int) (int, error) {
	rows, _ := tx.Query(ctx, `SELECT id FROM items WHERE newsletter_id = $1 AND section_id IS NOT DISTINCT FROM $2
		AND issue_id IS NULL AND id <> $3 ORDER BY position, id`, newsletterID, sectionID, id)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("place item: %w", err)
	}
	pos := 0
	if id != 0 {
		ids, pos = insertAt(ids, id, want)
	}
	_, err = tx.Exec(ctx, `UPDATE items i SET position = v.pos
		FROM unnest($1::bigint[], $2::int[]) AS v(id, pos) WHERE i.id = v.id AND i.position <> v.pos`, ids, positions(len(ids)))
	if err != nil {
		return 0, fmt.Errorf("place item: %w", err)
	}
	return pos, nil
}

func sameID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
