package postgres

import (
	"context"
	"errors"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// RerenderIssue implements compile.Store: it replaces the snapshot (subject,
// preheader, HTML, text) of a draft or scheduled issue with what build makes
// of its current items, after an editor changed them. Once sending starts
// the snapshot is frozen: EUNPROCESSABLE.
func (db *DB) RerenderIssue(ctx context.Context, newsletter string, number int, build bulletin.IssueRenderer) (*bulletin.Issue, error) {
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
		out, err = db.renderLocked(ctx, tx, nl, is, build)
		return err
	})
	if err != nil {
		return nil, mapErr(err, "issue")
	}
	return out, nil
}

// RenderIssueAgain implements bulletin.IssueService with the renderer main
// gave the store.
func (db *DB) RenderIssueAgain(ctx context.Context, newsletter string, number int) (*bulletin.Issue, error) {
	if db.RenderIssue == nil {
		return nil, errNoRenderer
	}
	return db.RerenderIssue(ctx, newsletter, number, db.RenderIssue)
}

var errNoRenderer = errors.New("render issue: the store has no issue renderer")

// renderLocked stores build's snapshot of issue is, whose row the caller
// locked, from its items in issue order. A sending or sent issue is frozen.
func (db *DB) renderLocked(ctx context.Context, tx pgx.Tx, nl *bulletin.Newsletter, is *bulletin.Issue, build bulletin.IssueRenderer) (*bulletin.Issue, error) {
	if is.Status != bulletin.IssueDraft && is.Status != bulletin.IssueScheduled {
		return nil, bulletin.Errorf(bulletin.EUNPROCESSABLE, "issue %d is %s; its content no longer changes", is.Number, is.Status)
	}
	sections, err := compileCollect[bulletin.Section](ctx, tx,
		`SELECT id, newsletter_id, slug, name, position FROM sections WHERE newsletter_id = $1 ORDER BY position, id`, nl.ID)
	if err != nil {
		return nil, err
	}
	items, err := compileCollect[bulletin.Item](ctx, tx, `SELECT `+compileItemColumns+`
		FROM items i WHERE i.issue_id = $1 ORDER BY i.issue_position`, is.ID)
	if err != nil {
		return nil, err
	}
	snap, err := build(nl, is, sections, items)
	if err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `UPDATE issues SET subject = $2, preheader = $3, html = $4, text_body = $5, updated_at = now()
		WHERE id = $1 RETURNING `+issueColumns, is.ID, snap.Subject, snap.Preheader, snap.HTML, snap.Text)
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Issue])
	if err != nil {
		return nil, err
	}
	if err := db.storeLinks(ctx, tx, out, items); err != nil {
		return nil, err
	}
	return out, nil
}

// renderItemIssue renders again, in tx, the issue of an item just
// corrected; the issue's row is locked first so that it cannot start
// sending halfway through the correction.
func (db *DB) renderItemIssue(ctx context.Context, tx pgx.Tx, issueID int64, build bulletin.IssueRenderer) (*bulletin.Issue, error) {
	rows, _ := tx.Query(ctx, `SELECT `+issueColumns+` FROM issues WHERE id = $1 FOR UPDATE`, issueID)
	is, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Issue])
	if err != nil {
		return nil, mapErr(err, "issue")
	}
	if is.Status != bulletin.IssueDraft && is.Status != bulletin.IssueScheduled {
		return nil, bulletin.Errorf(bulletin.EUNPROCESSABLE, "item is in issue %d, which is %s: it no longer changes", is.Number, is.Status)
	}
	if build == nil {
		return nil, errNoRenderer
	}
	rows, _ = tx.Query(ctx, `SELECT `+compileNewsletterColumns+` FROM newsletters WHERE id = $1`, is.NewsletterID)
	nl, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Newsletter])
	if err != nil {
		return nil, mapErr(err, "newsletter")
	}
	return db.renderLocked(ctx, tx, nl, is, build)
}
