package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// The item rules of bulletin.ItemService, tested once here for the API,
// the admin pages and the command line alike.

// renderTitles is a stand-in for compile's renderer: the subject lists the
// items' titles, so a test sees what the snapshot was made from.
func renderTitles(nl *bulletin.Newsletter, is *bulletin.Issue, _ []bulletin.Section, items []bulletin.Item) (*bulletin.Issue, error) {
	var ts []string
	for _, it := range items {
		ts = append(ts, it.Title)
	}
	s := strings.Join(ts, "|")
	return &bulletin.Issue{Subject: s, HTML: "<p>" + s + "</p>", Text: s}, nil
}

func TestItemVisibility(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	c := mustUser(t, db, "c@example.org", bulletin.RoleContributor)
	other := mustUser(t, db, "o@example.org", bulletin.RoleContributor)
	ed := mustUser(t, db, "e@example.org", bulletin.RoleEditor)
	mine := mustItem(t, db, &bulletin.Item{Title: "Mine", ContributorID: &c.ID})
	mustItem(t, db, &bulletin.Item{Title: "Theirs", ContributorID: &other.ID})
	mustItem(t, db, &bulletin.Item{Title: "Nobody's"})

	if got, err := db.FindItem(ctx, mine.ID, c); err != nil || got.ID != mine.ID {
		t.Fatalf("own item = %v, %v", got, err)
	}
	_, err := db.FindItem(ctx, mine.ID, other)
	wantCode(t, err, bulletin.ENOTFOUND) // not 403: ids reveal nothing
	if _, err := db.FindItem(ctx, mine.ID, ed); err != nil {
		t.Fatalf("editor: %v", err)
	}
	// A contributor's list is their own whatever the filter asks for.
	its, err := db.FindItems(ctx, bulletin.ItemFilter{By: c, ContributorID: &other.ID})
	if err != nil || len(its) != 1 || its[0].ID != mine.ID {
		t.Fatalf("contributor's list = %v, %v", titles(its), err)
	}
	if its, _ := db.FindItems(ctx, bulletin.ItemFilter{By: ed}); len(its) != 3 {
		t.Fatalf("editor's list = %v", titles(its))
	}
}

func TestItemEditability(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	c := mustUser(t, db, "c@example.org", bulletin.RoleContributor)
	ed := mustUser(t, db, "e@example.org", bulletin.RoleEditor)

	// Only editors submit items already approved; the submitter is the
	// contributor, whatever the item says.
	it := &bulletin.Item{Title: "Approved at once", Status: bulletin.ItemApproved}
	wantCode(t, db.SubmitItem(ctx, it, c), bulletin.EFORBIDDEN)
	if its, _ := db.FindItems(ctx, bulletin.ItemFilter{}); len(its) != 0 {
		t.Fatalf("refused submission stored: %v", titles(its))
	}
	sub := &bulletin.Item{Title: "Mine", ContributorID: &ed.ID}
	if err := db.SubmitItem(ctx, sub, c); err != nil || *sub.ContributorID != c.ID || sub.Status != bulletin.ItemSubmitted || sub.Newsletter == "" {
		t.Fatalf("submit = %+v, %v", sub, err)
	}
	if err := db.SubmitItem(ctx, &bulletin.Item{Title: "Editor's", Status: bulletin.ItemApproved}, ed); err != nil {
		t.Fatal(err)
	}
	// Contributors edit their own submitted items but do not reorder them.
	_, err := db.UpdateItem(ctx, sub.ID, bulletin.ItemUpdate{Position: ptr(2), By: c})
	wantCode(t, err, bulletin.EFORBIDDEN)
	if up, err := db.UpdateItem(ctx, sub.ID, bulletin.ItemUpdate{Position: ptr(2), By: ed}); err != nil || up.Position != 2 {
		t.Fatalf("editor reorder = %+v, %v", up, err)
	}
}

// A correction to an item of an unsent issue and the issue's new snapshot
// are one transaction: both happen, or, when rendering fails, neither.
func TestCorrectionRendersIssueInSameTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	ed := mustUser(t, db, "e@example.org", bulletin.RoleEditor)
	in := mustItem(t, db, &bulletin.Item{Title: "Teh news", Status: bulletin.ItemApproved})
	is, err := db.CompileIssue(ctx, "", nil, func(nl *bulletin.Newsletter, n int, s []bulletin.Section, items []bulletin.Item) (*bulletin.Issue, error) {
		out, _ := renderTitles(nl, nil, s, items)
		out.Status = bulletin.IssueDraft
		return out, nil
	})
	if err != nil || is.Subject != "Teh news" {
		t.Fatalf("compile = %+v, %v", is, err)
	}

	db.RenderIssue = func(*bulletin.Newsletter, *bulletin.Issue, []bulletin.Section, []bulletin.Item) (*bulletin.Issue, error) {
		return nil, errors.New("template broke")
	}
	_, err = db.UpdateItem(ctx, in.ID, bulletin.ItemUpdate{Title: ptr("The news"), By: ed})
	if err == nil || !strings.Contains(err.Error(), "template broke") {
		t.Fatalf("correction with a failing render = %v", err)
	}
	if got, _ := db.FindItemByID(ctx, in.ID); got.Title != "Teh news" {
		t.Fatalf("failed render kept the correction: %q", got.Title)
	}

	db.RenderIssue = renderTitles
	if _, err := db.UpdateItem(ctx, in.ID, bulletin.ItemUpdate{Title: ptr("The news"), By: ed}); err != nil {
		t.Fatal(err)
	}
	after, err := db.FindIssueByNumber(ctx, "", is.Number)
	if err != nil || after.Subject != "The news" || !strings.Contains(after.HTML, "The news") {
		t.Fatalf("issue after the correction = %+v, %v", after, err)
	}
}
