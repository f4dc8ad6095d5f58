package postgres

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// RerenderIssue implements compile.Store: it replaces the snapshot (subject,
// preheader, HTML, text) of a draft or scheduled issue with what build makes
// of its current items, after an editor changed them. Once sending starts
// the snapshot is frozen: EUNPROCESSABLE.
func (db *DB) RerenderIssue(ctx context.Context, newsletter string, number int,
	build func(*bulletin.Newsletter, *bulletin.Issue, []bulletin.Section, []bulletin.Item) (*bulletin.Issue, error)) (*bulletin.Issue, error) {
	var out *bulletin.Issue
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		nl, err := lockNewsletter(ctx, tx, newsletter)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+issueColumns+` FROM issues WHERE newsletter_id = $1 AND number = $2 FOR UPDATE`, nl.ID, number)
		is, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Issue])
		if err != nil {
			return mapErr(err, fmt.Sprintf("issue %d", number))
		}
		if is.Status != bulletin.IssueDraft && is.Status != bulletin.IssueScheduled {
			return bulletin.Errorf(bulletin.EUNPROCESSABLE, "issue %d is %s; its content no longer changes", number, is.Status)
		}
		sections, err := compileCollect[bulletin.Section](ctx, tx,
			`SELECT id, newsletter_id, slug, name, position FROM sections WHERE newsletter_id = $1 ORDER BY position, id`, nl.ID)
		if err != nil {
			return err
		}
		items, err := compileCollect[bulletin.Item](ctx, tx, `SELECT `+compileItemColumns+`
			FROM items i WHERE i.issue_id = $1 ORDER BY i.issue_position`, is.ID)
		if err != nil {
			return err
		}
		snap, err := build(nl, is, sections, items)
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `UPDATE issues SET subject = $2, preheader = $3, html = $4, text_body = $5, updated_at = now()
			WHERE id = $1 RETURNING `+issueColumns, is.ID, snap.Subject, snap.Preheader, snap.HTML, snap.Text)
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Issue])
		return err
	})
	if err != nil {
		return nil, mapErr(err, "issue")
	}
	return out, nil
}
