package postgres_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
)

// An editor schedules a draft, moves the time, takes it back to draft, and
// schedules it again; each step changes status and time as it says.
func TestScheduleMoveAndUnschedule(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	is := fixture.Issue(t, db, "")
	nl := fixture.Newsletter(t, db).Slug

	at := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	got, err := db.ScheduleIssue(ctx, nl, is.Number, at)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != bulletin.IssueScheduled || got.ScheduledAt == nil || !got.ScheduledAt.Equal(at) {
		t.Fatalf("after schedule: %s at %v, want scheduled at %v", got.Status, got.ScheduledAt, at)
	}
	later := at.Add(24 * time.Hour)
	if got, err = db.ScheduleIssue(ctx, nl, is.Number, later); err != nil || !got.ScheduledAt.Equal(later) {
		t.Fatalf("move: %v, %v; want scheduled at %v", err, got, later)
	}
	if got, err = db.UnscheduleIssue(ctx, nl, is.Number); err != nil || got.Status != bulletin.IssueDraft || got.ScheduledAt != nil {
		t.Fatalf("unschedule: %v, %+v; want a draft with no time", err, got)
	}
	// A draft has no schedule to take back.
	_, err = db.UnscheduleIssue(ctx, nl, is.Number)
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	if _, err = db.ScheduleIssue(ctx, nl, is.Number, at); err != nil {
		t.Fatal(err)
	}
	// The sender picks it up only once due: not yet.
	due, err := db.DueIssues(ctx, 10)
	if err != nil || len(due) != 0 {
		t.Errorf("due issues %v, %v; want none two hours ahead", due, err)
	}
}

// Bad times are refused with a reason and change nothing.
func TestScheduleRefusesBadTimes(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	is := fixture.Issue(t, db, "")
	nl := fixture.Newsletter(t, db).Slug
	for name, at := range map[string]time.Time{
		"zero":         {},
		"past":         time.Now().Add(-time.Minute),
		"two years on": time.Now().AddDate(2, 0, 0),
	} {
		_, err := db.ScheduleIssue(ctx, nl, is.Number, at)
		if bulletin.ErrorCode(err) != bulletin.EINVALID || bulletin.ErrorMessage(err) == "" {
			t.Errorf("%s: %v, want EINVALID with a reason", name, err)
		}
	}
	got, err := db.FindIssueByNumber(ctx, nl, is.Number)
	if err != nil || got.Status != bulletin.IssueDraft || got.ScheduledAt != nil {
		t.Errorf("after refused schedules: %v, %+v; want the draft unchanged", err, got)
	}
	_, err = db.ScheduleIssue(ctx, nl, 99, time.Now().Add(time.Hour))
	wantCode(t, err, bulletin.ENOTFOUND)
}

// Once the sender has started an issue, or it was cancelled, its schedule
// can no longer change, nor can it be cancelled once sent.
func TestScheduleClosedOnceStarted(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	fixture.List(t, db, &bulletin.List{Slug: "main"})
	fixture.Readers(t, db, "main", 2)
	nl := fixture.Newsletter(t, db).Slug
	sending := fixture.SendingIssue(t, db)
	at := time.Now().Add(time.Hour)
	_, err := db.ScheduleIssue(ctx, nl, sending.Number, at)
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	_, err = db.UnscheduleIssue(ctx, nl, sending.Number)
	wantCode(t, err, bulletin.EUNPROCESSABLE)

	sent := fixture.SentIssue(t, db, sending.Number+1)
	_, err = db.CancelIssue(ctx, nl, sent.Number)
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	_, err = db.ScheduleIssue(ctx, nl, sent.Number, at)
	wantCode(t, err, bulletin.EUNPROCESSABLE)

	cancelled := fixture.Issue(t, db, "")
	if _, err := db.CancelIssue(ctx, nl, cancelled.Number); err != nil {
		t.Fatal(err)
	}
	_, err = db.ScheduleIssue(ctx, nl, cancelled.Number, at)
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	if got, _ := db.FindIssueByNumber(ctx, nl, cancelled.Number); got.Status != bulletin.IssueCancelled || got.ScheduledAt != nil {
		t.Errorf("cancelled issue became %s at %v after a refused schedule", got.Status, got.ScheduledAt)
	}
}
