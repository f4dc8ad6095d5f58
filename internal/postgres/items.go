package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"

	"github.com/jackc/pgx/v5"
)

const itemSelect = `SELECT i.id, i.newsletter_id, i.section_id, i.issue_id, i.contributor_id, i.kind, i.title,
	i.body, i.body_html, i.url, i.source, i.closing, i.status, i.position, i.issue_position, i.review_note,
	i.approved_at, i.created_at, i.updated_at,
	n.slug AS newsletter_slug, coalesce(s.slug, '') AS section_slug, coalesce(u.email, '') AS contributor_email,
	coalesce(iss.number, 0) AS issue_number
	FROM items i JOIN newsletters n ON n.id = i.newsletter_id
	LEFT JOIN sections s ON s.id = i.section_id LEFT JOIN users u ON u.id = i.contributor_id
	LEFT JOIN issues iss ON iss.id = i.issue_id`

// itemRow fills the slugs the domain type keeps out of db tags.
type itemRow struct {
	bulletin.Item
	NewsletterSlug   string `db:"newsletter_slug"`
	SectionSlug      string `db:"section_slug"`
	ContributorEmail string `db:"contributor_email"`
	IssueNumber      int    `db:"issue_number"`
}

func scanItems(rows pgx.Rows) ([]*bulletin.Item, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*bulletin.Item, error) {
		r, err := pgx.RowToStructByName[itemRow](row)
		if err != nil {
			return nil, err
		}
		it := r.Item
		it.Newsletter, it.Section, it.Contributor, it.Issue = r.NewsletterSlug, r.SectionSlug, r.ContributorEmail, r.IssueNumber
		return &it, nil
	})
}

// FindItemByID returns one item.
func (db *DB) FindItemByID(ctx context.Context, id int64) (*bulletin.Item, error) {
	return findItem(ctx, db.Pool, id, false)
}

func findItem(ctx context.Context, q querier, id int64, forUpdate bool) (*bulletin.Item, error) {
	sql := itemSelect + ` WHERE i.id = $1`
	if forUpdate {
		sql += ` FOR UPDATE OF i`
	}
	rows, _ := q.Query(ctx, sql, id)
	its, err := scanItems(rows)
	if err != nil {
		return nil, fmt.Errorf("find item %d: %w", id, err)
	}
	if len(its) == 0 {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "item not found")
	}
	return its[0], nil
}

// FindItems returns the items matching f, in newsletter order: section
// position (items without a section last), item position, id. With an
// IssueID they come in issue order.
func (db *DB) FindItems(ctx context.Context, f bulletin.ItemFilter) ([]*bulletin.Item, error) {
	if err := db.checkItemFilter(ctx, &f); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Status != "" {
		add("i.status = ?", f.Status)
	}
	if f.Newsletter != "" {
		add("n.slug = ?", f.Newsletter)
	}
	if f.Section == "-" {
		where = append(where, "i.section_id IS NULL")
	} else if f.Section != "" {
		add("s.slug = ?", f.Section)
	}
	if f.ContributorID != nil {
		add("i.contributor_id = ?", *f.ContributorID)
	}
	if f.IssueID != nil {
		add("i.issue_id = ?", *f.IssueID)
	}
	if f.Unissued {
		where = append(where, "i.issue_id IS NULL")
	}
	sql := itemSelect
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	if f.IssueID != nil {
		sql += " ORDER BY i.issue_position NULLS LAST, i.id"
	} else {
		sql += " ORDER BY n.is_default DESC, n.slug, s.position NULLS LAST, s.id NULLS LAST, i.position, i.id"
	}
	limit := f.Limit
	if limit <= 0 || limit > bulletin.MaxItemsPerPage {
		limit = bulletin.MaxItemsPerPage
	}
	args = append(args, limit, max(f.Offset, 0))
	sql += fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	rows, _ := db.Pool.Query(ctx, sql, args...)
	its, err := scanItems(rows)
	if err != nil {
		return nil, fmt.Errorf("find items: %w", err)
	}
	return its, nil
}

// FindItem implements bulletin.ItemService: the item when by may see it,
// ENOTFOUND otherwise.
func (db *DB) FindItem(ctx context.Context, id int64, by *bulletin.User) (*bulletin.Item, error) {
	it, err := db.FindItemByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if by != nil && !by.CanSeeItem(it) {
		return nil, bulletin.Errorf(bulletin.ENOTFOUND, "item not found")
	}
	return it, nil
}

// checkItemFilter refuses an unknown status or newsletter and narrows a
// contributor's filter to their own items.
func (db *DB) checkItemFilter(ctx context.Context, f *bulletin.ItemFilter) error {
	switch f.Status {
	case "", bulletin.ItemSubmitted, bulletin.ItemApproved, bulletin.ItemRejected:
	default:
		return bulletin.Errorf(bulletin.EINVALID, "status: must be submitted, approved or rejected")
	}
	if f.By != nil && !f.By.CanEdit() {
		f.ContributorID = &f.By.ID
	}
	if f.Newsletter != "" {
		_, err := db.FindNewsletterBySlug(ctx, f.Newsletter)
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			return bulletin.Errorf(bulletin.EINVALID, "newsletter: unknown newsletter %q", f.Newsletter)
		}
		return err
	}
	return nil
}

// SubmitItem implements bulletin.ItemService: by is recorded as the
// contributor, and only editors may submit an item already approved.
func (db *DB) SubmitItem(ctx context.Context, it *bulletin.Item, by *bulletin.User) error {
	if by != nil {
		if it.Status == bulletin.ItemApproved && !by.CanEdit() {
			return bulletin.Errorf(bulletin.EFORBIDDEN, "only editors may submit items already approved")
		}
		it.ContributorID = &by.ID
	}
	if err := db.CreateItem(ctx, it); err != nil {
		return err
	}
	found, err := db.FindItemByID(ctx, it.ID)
	if err != nil {
		return err
	}
	*it = *found
	return nil
}

// CreateItem validates and sanitises it (content.PrepareItem), resolves
// its newsletter (the default when it.Newsletter is "") and section slugs,
// and stores it last in its section. Status "" is submitted; approved
// records the contributor as its reviewer.
func (db *DB) CreateItem(ctx context.Context, it *bulletin.Item) error {
	if err := content.PrepareItem(it); err != nil {
		return err
	}
	switch it.Status {
	case "":
		it.Status = bulletin.ItemSubmitted
	case bulletin.ItemSubmitted, bulletin.ItemApproved:
	default:
		return bulletin.Errorf(bulletin.EINVALID, "status: a new item is %q or %q", bulletin.ItemSubmitted, bulletin.ItemApproved)
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error { return insertItem(ctx, tx, it) })
	if err != nil {
		return fmt.Errorf("create item: %w", err)
	}
	return nil
}

// insertItem stores a prepared item last in its section, inside tx.
func insertItem(ctx context.Context, tx pgx.Tx, it *bulletin.Item) error {
	nl, sec, err := resolvePlace(ctx, tx, it.Newsletter, it.Section)
	if err != nil {
		return err
	}
	it.NewsletterID, it.SectionID = nl, sec
	if err := lockOrder(ctx, tx, nl); err != nil {
		return err
	}
	err = tx.QueryRow(ctx, `INSERT INTO items (newsletter_id, section_id, contributor_id, kind, title, body,
		body_html, url, source, closing, status, position, approved_at, reviewed_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
			(SELECT coalesce(max(position), 0) + 1 FROM items WHERE newsletter_id = $1 AND section_id IS NOT DISTINCT FROM $2 AND issue_id IS NULL),
			CASE WHEN $11 = 'approved' THEN now() END, CASE WHEN $11 = 'approved' THEN $3::bigint END)
		RETURNING id, position, approved_at, created_at, updated_at`,
		nl, sec, it.ContributorID, it.Kind, it.Title, it.Body, it.BodyHTML, it.URL, it.Source, it.Closing, it.Status,
	).Scan(&it.ID, &it.Position, &it.ApprovedAt, &it.CreatedAt, &it.UpdatedAt)
	if err != nil {
		return mapErr(err, "item")
	}
	// Compiling takes items out of their sections and leaves gaps;
	// renumbering here closes them.
	it.Position, err = placeItem(ctx, tx, nl, sec, it.ID, 0)
	return err
}

// resolvePlace turns a newsletter slug ("" = the default) and a section
// slug ("" = none) into ids; unknown ones are EINVALID, not ENOTFOUND, since
// they are fields of the request.
func resolvePlace(ctx context.Context, tx pgx.Tx, newsletter, section string) (int64, *int64, error) {
	var nl int64
	var err error
	if newsletter == "" {
		err = tx.QueryRow(ctx, `SELECT id FROM newsletters WHERE is_default`).Scan(&nl)
	} else {
		err = tx.QueryRow(ctx, `SELECT id FROM newsletters WHERE slug = $1`, newsletter).Scan(&nl)
	}
	if err == pgx.ErrNoRows {
		if newsletter == "" {
			return 0, nil, bulletin.Errorf(bulletin.EINVALID, "newsletter: required (there is no default newsletter)")
		}
		return 0, nil, bulletin.Errorf(bulletin.EINVALID, "newsletter: unknown newsletter %q", newsletter)
	} else if err != nil {
		return 0, nil, err
	}
	if section == "" {
		return nl, nil, nil
	}
	var sec int64
	err = tx.QueryRow(ctx, `SELECT id FROM sections WHERE newsletter_id = $1 AND slug = $2`, nl, section).Scan(&sec)
	if err == pgx.ErrNoRows {
		return 0, nil, bulletin.Errorf(bulletin.EINVALID, "section: unknown section %q", section)
	} else if err != nil {
		return 0, nil, err
	}
	return nl, &sec, nil
}
