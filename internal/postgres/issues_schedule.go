package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// maxScheduleAhead is how far ahead an issue may be scheduled: further
// than this is almost certainly a typo in the year.
const maxScheduleAhead = 366 * 24 * time.Hour

// ScheduleIssue sets (or moves) the time a draft or scheduled issue goes
// out. The time must be in the future and at most a year ahead (EINVALID);
// an issue that is sending, sent or cancelled is EUNPROCESSABLE. The
// change is one conditional update, so it cannot cross the sender starting
// the issue: whichever commits first wins, and the other is refused.
func (db *DB) ScheduleIssue(ctx context.Context, newsletter string, number int, at time.Time) (*bulletin.Issue, error) {
	now := time.Now()
	switch {
	case at.IsZero():
		return nil, bulletin.Errorf(bulletin.EINVALID, "scheduled time is required")
	case !at.After(now):
		return nil, bulletin.Errorf(bulletin.EINVALID, "scheduled time %s is in the past; pick a time after now",
			at.UTC().Format("2006-01-02 15:04 MST"))
	case at.After(now.Add(maxScheduleAhead)):
		return nil, bulletin.Errorf(bulletin.EINVALID, "scheduled time %s is more than a year ahead",
			at.UTC().Format("2006-01-02 15:04 MST"))
	}
	return db.changeSchedule(ctx, newsletter, number, "schedule",
		`UPDATE issues SET status = 'scheduled', scheduled_at = $2, updated_at = now()
		WHERE id = $1 AND status IN ('draft', 'scheduled') RETURNING `+issueColumns, at)
}

// UnscheduleIssue takes a scheduled issue back to draft: it keeps its
// items and number and goes out only when an editor sends or schedules it.
// Only a scheduled issue can be unscheduled (else EUNPROCESSABLE).
func (db *DB) UnscheduleIssue(ctx context.Context, newsletter string, number int) (*bulletin.Issue, error) {
	return db.changeSchedule(ctx, newsletter, number, "unschedule",
		`UPDATE issues SET status = 'draft', scheduled_at = NULL, updated_at = now()
		WHERE id = $1 AND status = 'scheduled' RETURNING `+issueColumns)
}

func (db *DB) changeSchedule(ctx context.Context, newsletter string, number int, what, query string, args ...any) (*bulletin.Issue, error) {
	is, err := db.FindIssueByNumber(ctx, newsletter, number)
	if err != nil {
		return nil, err
	}
	rows, _ := db.Pool.Query(ctx, query, append([]any{is.ID}, args...)...)
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.Issue])
	if errors.Is(err, pgx.ErrNoRows) {
		// Read the status again: it may have changed since the first read.
		if now, ferr := db.FindIssueByNumber(ctx, newsletter, number); ferr == nil {
			is = now
		}
		return nil, bulletin.Errorf(bulletin.EUNPROCESSABLE, "issue %d is %s and can no longer be %sd", number, is.Status, what)
	}
	if err != nil {
		return nil, fmt.Errorf("%s issue %d: %w", what, number, err)
	}
	return out, nil
}
