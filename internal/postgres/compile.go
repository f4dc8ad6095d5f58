package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// compileNewsletterColumns are the newsletters columns bulletin.Newsletter maps.
const compileNewsletterColumns = `id, slug, name, description, from_name, from_email, reply_to, schedule,
	subject_template, intro, auto_send, send_delay, last_number, is_default, welcome_email,
	logo_url, accent_color, org_name, org_address, created_at, updated_at`

// compileItemColumns are the items columns bulletin.Item maps.
const compileItemColumns = `i.id, i.newsletter_id, i.section_id, i.issue_id, i.contributor_id, i.kind, i.title,
	i.body, i.body_html, i.url, i.source, i.closing, i.status, i.position, i.issue_position,
	i.review_note, i.approved_at, i.created_at, i.updated_at`

// CompileIssue implements compile.Store: in one transaction it locks the
// newsletter row (so concurrent compiles of one newsletter queue up), refuses
// a slot that already has an issue, takes number = last + 1, hands the
// approved unclaimed items to build and stores what build returns, claiming
// the items. The unique (newsletter_id, slot) and (newsletter_id, number)
// constraints back this up should anything else write issues.
func (db *DB) CompileIssue(ctx context.Context, newsletter string, slot *time.Time,
	build func(*bulletin.Newsletter, int, []bulletin.Section, []bulletin.Item) (*bulletin.Issue, error)) (*bulletin.Issue, error) {
	var out *bulletin.Issue
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		nl, err := lockNewsletter(ctx, tx, newsletter)
		if err != nil {
			return err
		}
		if slot != nil {
			var n int
			err := tx.QueryRow(ctx, `SELECT number FROM issues WHERE newsletter_id = $1 AND slot = $2`, nl.ID, *slot).Scan(&n)
			if err == nil {
				return bulletin.Errorf(bulletin.ECONFLICT, "slot %s already compiled as issue %d", slot.UTC().Format(time.RFC3339), n)
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		sections, err := compileCollect[bulletin.Section](ctx, tx,
			`SELECT id, newsletter_id, slug, name, position FROM sections WHERE newsletter_id = $1 ORDER BY position, id`, nl.ID)
		if err != nil {
			return err
		}
		items, err := compileCollect[bulletin.Item](ctx, tx, `SELECT `+compileItemColumns+`
			FROM items i LEFT JOIN sections s ON s.id = i.section_id
			WHERE i.newsletter_id = $1 AND i.status = 'approved' AND i.issue_id IS NULL
			ORDER BY i.closing, s.position NULLS LAST, s.id, i.position, i.approved_at NULLS LAST, i.id
			FOR UPDATE OF i`, nl.ID)
		if err != nil {
			return err
		}
		number := nl.LastNumber + 1
		is, err := build(nl, number, sections, items)
		if err != nil {
			return err
		}
		if out, err = insertIssue(ctx, tx, nl.ID, number, slot, is); err != nil {
			return err
		}
		if err := db.storeLinks(ctx, tx, out, items); err != nil {
			return err
		}
		return claimItems(ctx, tx, out.ID, items)
	})
	if err != nil {
		return nil, mapErr(err, "issue")
	}
	return out, nil
}

// lockNewsletter reads the newsletter by slug, or the default one for "",
// and locks its row until the transaction ends.
func lockNewsletter(ctx context.Context, tx pgx.Tx, slug string) (*bulletin.Newsletter, error) {
	where, args := `slug = $1`, []any{slug}
	if slug == "" {
		where, args = `is_default`, nil
	}
	rows, _ := tx.Query(ctx, `SELECT `+compileNewsletterColumns+` FROM newsletters WHERE `+where+` FOR UPDATE`, args...)
	nl, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Newsletter])
	if err != nil {
		if slug == "" {
			return nil, mapErr(err, "default newsletter")
		}
		return nil, mapErr(err, fmt.Sprintf("newsletter %q", slug))
	}
	return nl, nil
}

func insertIssue(ctx context.Context, tx pgx.Tx, nlID int64, number int, slot *time.Time, is *bulletin.Issue) (*bulletin.Issue, error) {
	rows, _ := tx.Query(ctx, `INSERT INTO issues
		(newsletter_id, number, slot, status, subject, preheader, html, text_body, scheduled_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+issueColumns,
		nlID, number, slot, is.Status, is.Subject, is.Preheader, is.HTML, is.Text, is.ScheduledAt)
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Issue])
	if err != nil {
		return nil, fmt.Errorf("insert issue %d: %w", number, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE newsletters SET last_number = $2, updated_at = now() WHERE id = $1`, nlID, number); err != nil {
		return nil, fmt.Errorf("advance issue number: %w", err)
	}
	return out, nil
}

// claimItems gives the items to the issue, numbered 1.. in the given order.
func claimItems(ctx context.Context, tx pgx.Tx, issueID int64, items []bulletin.Item) error {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	_, err := tx.Exec(ctx, `UPDATE items SET issue_id = $1, issue_position = o.pos, updated_at = now()
		FROM unnest($2::bigint[]) WITH ORDINALITY AS o(id, pos) WHERE items.id = o.id`, issueID, ids)
	if err != nil {
		return fmt.Errorf("claim items: %w", err)
	}
	return nil
}

// compileCollect runs a query and scans every row into T by column name.
func compileCollect[T any](ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, args ...any) ([]T, error) {
	rows, _ := q.Query(ctx, sql, args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if err != nil {
		return nil, err
	}
	return out, nil
}
