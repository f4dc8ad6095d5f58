package compile_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/compile"
	"bulletin/internal/pgtest"
)

// Approved items go into issue last+1 in section order, then position,
// then approval time, the closing item last; others stay out.
func TestCompileOrdersAndClaimsItems(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	s := seedNewsletter(t, db, "", false, 0)
	if _, err := db.Pool.Exec(ctx, `UPDATE newsletters SET last_number = 60`); err != nil {
		t.Fatal(err)
	}
	addItem(t, db, s, itemSpec{title: "Lastly plant", section: "budgets", approved: 9 * time.Hour, closing: true})
	addItem(t, db, s, itemSpec{title: "News B", section: "news", position: 2, approved: time.Hour})
	addItem(t, db, s, itemSpec{title: "Unsectioned", approved: 5 * time.Hour})
	addItem(t, db, s, itemSpec{title: "Events later approved", section: "events", position: 1, approved: time.Hour})
	addItem(t, db, s, itemSpec{title: "Budgets", section: "budgets", position: 5, approved: time.Hour})
	addItem(t, db, s, itemSpec{title: "Events earlier approved", section: "events", position: 1, approved: 2 * time.Hour})
	addItem(t, db, s, itemSpec{title: "News A", section: "news", position: 1, approved: time.Minute, kind: bulletin.KindLink})
	addItem(t, db, s, itemSpec{title: "Not approved", section: "news"})

	is, err := compiler(t, db).Compile(ctx, "weekly", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if is.Number != 61 || is.Status != bulletin.IssueDraft || is.Slot != nil {
		t.Errorf("issue = number %d status %s slot %v, want 61 draft no slot", is.Number, is.Status, is.Slot)
	}
	items, err := db.FindIssueItems(ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Budgets", "Events earlier approved", "Events later approved", "News A", "News B", "Unsectioned", "Lastly plant"}
	var got []string
	for i, it := range items {
		got = append(got, it.Title)
		if it.IssuePosition == nil || *it.IssuePosition != i+1 {
			t.Errorf("%s has issue position %v, want %d", it.Title, it.IssuePosition, i+1)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("order\n got %v\nwant %v", got, want)
	}
	if n := count(t, db, `SELECT last_number FROM newsletters`); n != 61 {
		t.Errorf("last_number = %d, want 61", n)
	}
	if n := count(t, db, `SELECT count(*) FROM items WHERE issue_id IS NULL`); n != 1 {
		t.Errorf("%d items left unclaimed, want only the unapproved one", n)
	}
	if !strings.HasPrefix(is.Subject, "Weekly update 61: Budgets") || !strings.Contains(is.HTML, `name="item-7"`) ||
		!strings.Contains(is.HTML, "Lastly, Lastly plant") || !strings.Contains(is.Text, "https://b.example/archive/weekly/61") {
		t.Errorf("snapshot looks wrong: subject %q", is.Subject)
	}
}

// With nothing approved there is no issue: ECONFLICT, nothing written.
func TestCompileNothingToCompile(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	s := seedNewsletter(t, db, "", false, 0)
	addItem(t, db, s, itemSpec{title: "Only submitted", section: "news"})
	_, err := compiler(t, db).Compile(ctx, "", nil, false)
	if bulletin.ErrorCode(err) != bulletin.ECONFLICT || !strings.Contains(bulletin.ErrorMessage(err), "nothing to compile") {
		t.Fatalf("err = %v, want ECONFLICT nothing to compile", err)
	}
	if n := count(t, db, `SELECT count(*) FROM issues`); n != 0 {
		t.Errorf("%d issues created", n)
	}
	if n := count(t, db, `SELECT last_number FROM newsletters`); n != 0 {
		t.Errorf("last_number moved to %d", n)
	}
	// --allow-empty makes an issue anyway.
	is, err := compiler(t, db).Compile(ctx, "", nil, true)
	if err != nil || is.Number != 1 {
		t.Fatalf("allow empty: %v, %+v", err, is)
	}
}

// A failing render rolls the whole compile back: no issue, no number used,
// no item claimed.
func TestCompileRenderFailureChangesNothing(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	s := seedNewsletter(t, db, "", false, 0)
	addItem(t, db, s, itemSpec{title: "A", section: "news", approved: time.Hour})
	c := compiler(t, db)
	c.Render = func(compile.Draft) (compile.Rendered, error) {
		return compile.Rendered{}, errors.New("template exploded")
	}
	if _, err := c.Compile(ctx, "weekly", nil, false); err == nil || !strings.Contains(err.Error(), "template exploded") {
		t.Fatalf("err = %v", err)
	}
	if count(t, db, `SELECT count(*) FROM issues`) != 0 || count(t, db, `SELECT last_number FROM newsletters`) != 0 ||
		count(t, db, `SELECT count(*) FROM items WHERE issue_id IS NOT NULL`) != 0 {
		t.Error("a failed compile left changes behind")
	}
}

func TestCompileUnknownNewsletter(t *testing.T) {
	db := pgtest.New(t)
	_, err := compiler(t, db).Compile(context.Background(), "nope", nil, false)
	if bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("err = %v, want ENOTFOUND", err)
	}
	// No default newsletter either.
	if _, err := compiler(t, db).Compile(context.Background(), "", nil, false); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("err = %v, want ENOTFOUND", err)
	}
}

func TestPolicy(t *testing.T) {
	now := time.Date(2026, 11, 17, 17, 0, 5, 0, time.UTC)
	slot := time.Date(2026, 11, 17, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		nl       bulletin.Newsletter
		slot     *time.Time
		status   string
		sendTime *time.Time
	}{
		{"auto send", bulletin.Newsletter{AutoSend: true, SendDelay: time.Hour}, &slot, bulletin.IssueScheduled, &now},
		{"review window from slot", bulletin.Newsletter{SendDelay: 16 * time.Hour}, &slot, bulletin.IssueScheduled, ptr(slot.Add(16 * time.Hour))},
		{"review window from now", bulletin.Newsletter{SendDelay: time.Hour}, nil, bulletin.IssueScheduled, ptr(now.Add(time.Hour))},
		{"editor sends", bulletin.Newsletter{}, &slot, bulletin.IssueDraft, nil},
	}
	for _, tt := range tests {
		status, at := compile.Policy(&tt.nl, tt.slot, now)
		if status != tt.status || (at == nil) != (tt.sendTime == nil) || (at != nil && !at.Equal(*tt.sendTime)) {
			t.Errorf("%s: got %s %v, want %s %v", tt.name, status, at, tt.status, tt.sendTime)
		}
	}
}

func ptr[T any](v T) *T { return &v }
