package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/postgres"
)

func TestCreateAndFindItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	c := mustUser(t, db, "c@example.org", bulletin.RoleContributor)
	ed := mustUser(t, db, "e@example.org", bulletin.RoleEditor)
	mustSection(t, db, "weekly", "events")
	it := mustItem(t, db, &bulletin.Item{Title: "Hello", Body: "Hi <script>alert(1)</script> **there**", ContributorID: &c.ID, Section: "events"})
	if it.Status != "submitted" || it.Position != 1 || it.Newsletter != "" && it.Newsletter != "weekly" || strings.Contains(it.BodyHTML, "script") {
		t.Fatalf("created %+v", it)
	}
	mustItem(t, db, &bulletin.Item{Title: "Second", ContributorID: &ed.ID, Section: "events", Status: "approved"})
	mustItem(t, db, &bulletin.Item{Title: "No section", ContributorID: &c.ID})

	got, err := db.FindItemByID(ctx, it.ID)
	if err != nil || got.Newsletter != "weekly" || got.Section != "events" || got.Contributor != "c@example.org" || !strings.Contains(got.BodyHTML, "<strong>there</strong>") {
		t.Fatalf("FindItemByID = %+v, %v", got, err)
	}
	_, err = db.FindItemByID(ctx, 424242)
	wantCode(t, err, bulletin.ENOTFOUND)

	for _, tc := range []struct {
		f    bulletin.ItemFilter
		want []string
	}{
		{bulletin.ItemFilter{}, []string{"Hello", "Second", "No section"}},
		{bulletin.ItemFilter{Status: "approved"}, []string{"Second"}},
		{bulletin.ItemFilter{ContributorID: &c.ID}, []string{"Hello", "No section"}},
		{bulletin.ItemFilter{Newsletter: "weekly", Section: "-"}, []string{"No section"}},
		{bulletin.ItemFilter{Section: "events", Limit: 1, Offset: 1}, []string{"Second"}},
	} {
		its, err := db.FindItems(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(titles(its)) != fmt.Sprint(tc.want) {
			t.Errorf("FindItems(%+v) = %v, want %v", tc.f, titles(its), tc.want)
		}
	}
	_, err = db.FindItems(ctx, bulletin.ItemFilter{Newsletter: "other"})
	wantCode(t, err, bulletin.EINVALID)
	_, err = db.FindItems(ctx, bulletin.ItemFilter{Status: "published"})
	wantCode(t, err, bulletin.EINVALID)
	approved, _ := db.FindItems(ctx, bulletin.ItemFilter{Status: "approved"})
	if approved[0].ApprovedAt == nil {
		t.Fatal("an item created approved has no approved_at")
	}

	for _, bad := range []*bulletin.Item{
		{Title: "x", Section: "ghost"},
		{Title: "x", Newsletter: "ghost"},
		{Title: "x", Status: "rejected"},
		{Title: "a\r\nb"},
		{Title: "x", URL: "javascript:alert(1)"},
		{Title: "x", Body: "\xff"},
	} {
		wantCode(t, db.CreateItem(ctx, bad), bulletin.EINVALID)
	}
	if all, _ := db.FindItems(ctx, bulletin.ItemFilter{}); len(all) != 3 {
		t.Fatalf("bad input stored items: %d", len(all))
	}
}

func TestUpdateDeleteReviewItem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	db.RenderIssue = renderTitles
	c := mustUser(t, db, "c@example.org", bulletin.RoleContributor)
	other := mustUser(t, db, "o@example.org", bulletin.RoleContributor)
	ed := mustUser(t, db, "e@example.org", bulletin.RoleEditor)
	mustSection(t, db, "weekly", "news")
	it := mustItem(t, db, &bulletin.Item{Title: "Mine", ContributorID: &c.ID})

	up, err := db.UpdateItem(ctx, it.ID, bulletin.ItemUpdate{Title: ptr("Mine, edited"), Body: ptr("[x](javascript:alert(1))"), By: c})
	if err != nil || up.Title != "Mine, edited" || strings.Contains(up.BodyHTML, "javascript") {
		t.Fatalf("UpdateItem = %+v, %v", up, err)
	}
	_, err = db.UpdateItem(ctx, it.ID, bulletin.ItemUpdate{Title: ptr("Theirs"), By: other})
	wantCode(t, err, bulletin.ENOTFOUND)
	_, err = db.UpdateItem(ctx, it.ID, bulletin.ItemUpdate{Title: ptr("x\ny"), By: c})
	wantCode(t, err, bulletin.EINVALID)
	_, err = db.UpdateItem(ctx, it.ID, bulletin.ItemUpdate{Section: ptr("ghost"), By: ed})
	wantCode(t, err, bulletin.EINVALID)
	if got, _ := db.FindItemByID(ctx, it.ID); got.Title != "Mine, edited" || got.Section != "" {
		t.Fatalf("refused updates changed the item: %+v", got)
	}

	_, err = db.ReviewItem(ctx, it.ID, "approved", "", c)
	wantCode(t, err, bulletin.EFORBIDDEN)
	rev, err := db.ReviewItem(ctx, it.ID, "approved", "Nice", ed)
	if err != nil || rev.Status != "approved" || rev.ReviewNote != "Nice" || rev.ApprovedAt == nil {
		t.Fatalf("approve = %+v, %v", rev, err)
	}
	_, err = db.ReviewItem(ctx, it.ID, "approved", "", ed)
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	_, err = db.ReviewItem(ctx, it.ID, "published", "", ed)
	wantCode(t, err, bulletin.EINVALID)
	// The contributor can no longer change an approved item; the editor can.
	_, err = db.UpdateItem(ctx, it.ID, bulletin.ItemUpdate{Title: ptr("Sneaky"), By: c})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	wantCode(t, db.DeleteItem(ctx, it.ID, c), bulletin.EUNPROCESSABLE)
	if up, err = db.UpdateItem(ctx, it.ID, bulletin.ItemUpdate{Section: ptr("news"), By: ed}); err != nil || up.Section != "news" {
		t.Fatalf("editor move = %+v, %v", up, err)
	}
	rev, err = db.ReviewItem(ctx, it.ID, "rejected", "Off topic", ed)
	if err != nil || rev.Status != "rejected" || rev.ApprovedAt != nil {
		t.Fatalf("reject = %+v, %v", rev, err)
	}

	// An item taken by an issue: while the issue is unsent an editor may
	// correct its wording in place, nobody may move, review or delete it,
	// and once the issue is sending it is frozen.
	var issue int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number) SELECT id, 1 FROM newsletters RETURNING id`).Scan(&issue); err != nil {
		t.Fatal(err)
	}
	in := mustItem(t, db, &bulletin.Item{Title: "In issue", Status: "approved", ContributorID: &c.ID})
	if _, err := db.Pool.Exec(ctx, `UPDATE items SET issue_id = $1 WHERE id = $2`, issue, in.ID); err != nil {
		t.Fatal(err)
	}
	fixed, err := db.UpdateItem(ctx, in.ID, bulletin.ItemUpdate{Title: ptr("In issue, spelt right"), Section: ptr(""), By: ed})
	if err != nil || fixed.Title != "In issue, spelt right" || fixed.Issue != 1 {
		t.Fatalf("editor's correction in a draft issue = %+v, %v", fixed, err)
	}
	_, err = db.UpdateItem(ctx, in.ID, bulletin.ItemUpdate{Title: ptr("x"), By: c})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	_, err = db.UpdateItem(ctx, in.ID, bulletin.ItemUpdate{Section: ptr("news"), By: ed})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	_, err = db.UpdateItem(ctx, in.ID, bulletin.ItemUpdate{Position: ptr(5), By: ed})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	_, err = db.ReviewItem(ctx, in.ID, "rejected", "", ed)
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	wantCode(t, db.DeleteItem(ctx, in.ID, ed), bulletin.EUNPROCESSABLE)
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sending' WHERE id = $1`, issue); err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateItem(ctx, in.ID, bulletin.ItemUpdate{Title: ptr("Too late"), By: ed})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	if got, _ := db.FindItemByID(ctx, in.ID); got.Title != "In issue, spelt right" || got.Section != "" {
		t.Errorf("after the refused changes the item is %q in %q", got.Title, got.Section)
	}
	if its, _ := db.FindItems(ctx, bulletin.ItemFilter{IssueID: &issue}); len(its) != 1 || its[0].ID != in.ID {
		t.Fatalf("FindItems by issue = %v", titles(its))
	}

	wantCode(t, db.DeleteItem(ctx, it.ID, ed), "")
	wantCode(t, db.DeleteItem(ctx, it.ID, ed), bulletin.ENOTFOUND)
}

// Positions stay 1..n within each section while editors move items about
// concurrently, across sections too.
func TestConcurrentMovesKeepPositionsDense(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	ed := mustUser(t, db, "e@example.org", bulletin.RoleEditor)
	sections := []string{"a", "b"}
	for _, s := range sections {
		mustSection(t, db, "weekly", s)
	}
	var ids []int64
	for i := range 12 {
		it := mustItem(t, db, &bulletin.Item{Title: fmt.Sprint("item ", i), Section: sections[i%2]})
		ids = append(ids, it.ID)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for w := range 2 { // new items arrive while editors move others
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				it := &bulletin.Item{Title: fmt.Sprint("new ", w, i), Section: sections[i%2]}
				if err := db.CreateItem(ctx, it); err != nil {
					errs <- err
				}
			}
		}()
	}
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range 15 {
				upd := bulletin.ItemUpdate{Position: ptr(r.IntN(8) + 1), By: ed}
				if r.IntN(3) == 0 {
					upd.Section = ptr(sections[r.IntN(2)])
				}
				if _, err := db.UpdateItem(ctx, ids[r.IntN(len(ids))], upd); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assertDense(t, db)
	// Deleting closes the gap.
	wantCode(t, db.DeleteItem(ctx, ids[3], ed), "")
	assertDense(t, db)
}

func assertDense(t *testing.T, db *postgres.DB) {
	t.Helper()
	its, err := db.FindItems(context.Background(), bulletin.ItemFilter{Unissued: true})
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]int{}
	for _, it := range its {
		next[it.Section]++
		if it.Position != next[it.Section] {
			t.Fatalf("section %q: item %d has position %d, want %d", it.Section, it.ID, it.Position, next[it.Section])
		}
	}
}

func titles(its []*bulletin.Item) []string {
	var out []string
	for _, it := range its {
		out = append(out, it.Title)
	}
	return out
}
