package compile_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// Cancelling a scheduled issue releases its items to the next compile,
// which takes the next number; a cancelled issue cannot be cancelled again
// and the failed attempt changes nothing.
func TestCancelReleasesItems(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := seedNewsletter(t, db, "", false, time.Hour)
	addItem(t, db, s, itemSpec{title: "A", section: "news", approved: time.Hour})
	c := compiler(t, db)
	is, err := c.Compile(ctx, "weekly", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.CancelIssue(ctx, "weekly", is.Number)
	if err != nil || got.Status != bulletin.IssueCancelled {
		t.Fatalf("cancel: %v %+v", err, got)
	}
	if _, err := db.CancelIssue(ctx, "weekly", is.Number); bulletin.ErrorCode(err) != bulletin.EUNPROCESSABLE {
		t.Fatalf("second cancel: %v, want EUNPROCESSABLE", err)
	}
	if _, err := db.CancelIssue(ctx, "weekly", 99); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("cancel of a missing issue: %v, want ENOTFOUND", err)
	}
	again, err := c.Compile(ctx, "weekly", nil, false)
	if err != nil || again.Number != 2 {
		t.Fatalf("recompile: %v %+v", err, again)
	}
	items, err := db.FindIssueItems(ctx, again.ID)
	if err != nil || len(items) != 1 || items[0].Title != "A" {
		t.Fatalf("recompiled items %v, %v", items, err)
	}
	list, err := db.FindIssues(ctx, "weekly")
	if err != nil || len(list) != 2 || list[0].Number != 2 || list[1].Status != bulletin.IssueCancelled {
		t.Fatalf("FindIssues = %v, %v", list, err)
	}
	if _, err := db.FindIssues(ctx, "nope"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("FindIssues of unknown newsletter: %v", err)
	}
	counts, err := db.IssueCounts(ctx, again.ID)
	if err != nil || counts != (bulletin.Counts{}) {
		t.Fatalf("counts %+v, %v", counts, err)
	}
}

// A sending issue cannot be cancelled, and stays as it was.
func TestCancelSendingIssueRefused(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := seedNewsletter(t, db, "", true, 0)
	addItem(t, db, s, itemSpec{title: "A", section: "news", approved: time.Hour})
	is, err := compiler(t, db).Compile(ctx, "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sending' WHERE id = $1`, is.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CancelIssue(ctx, "", is.Number); bulletin.ErrorCode(err) != bulletin.EUNPROCESSABLE {
		t.Fatalf("cancel sending: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM items WHERE issue_id = $1`, is.ID); n != 1 {
		t.Error("items were released from a sending issue")
	}
}

// An edit during the review window reaches the stored snapshot; once the
// issue is sending its snapshot is frozen and a rerender changes nothing.
func TestRerender(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := seedNewsletter(t, db, "", false, time.Hour)
	id := addItem(t, db, s, itemSpec{title: "Old title", section: "news", approved: time.Hour})
	c := compiler(t, db)
	is, err := c.Compile(ctx, "weekly", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE items SET title = 'New title' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	got, err := c.Rerender(ctx, "weekly", is.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.HTML, "New title") || strings.Contains(got.HTML, ">Old title<") || got.Subject != "Weekly update 1: New title" ||
		got.Status != is.Status || !got.ScheduledAt.Equal(*is.ScheduledAt) {
		t.Errorf("rerendered: subject %q status %s scheduled %v (was %v), new %v old %v", got.Subject, got.Status, got.ScheduledAt, is.ScheduledAt, strings.Contains(got.HTML, "New title"), strings.Contains(got.HTML, "Old title"))
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sending' WHERE id = $1;`, is.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE items SET title = 'Newer title' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Rerender(ctx, "weekly", is.Number); bulletin.ErrorCode(err) != bulletin.EUNPROCESSABLE {
		t.Fatalf("rerender while sending: %v, want EUNPROCESSABLE", err)
	}
	after, err := db.FindIssueByNumber(ctx, "weekly", is.Number)
	if err != nil || after.HTML != got.HTML {
		t.Error("the snapshot of a sending issue changed")
	}
	if _, err := c.Rerender(ctx, "weekly", 42); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("rerender of a missing issue: %v", err)
	}
}
