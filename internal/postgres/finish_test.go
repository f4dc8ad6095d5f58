package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
)

// An issue is never finished with its deliveries pending, even by a
// finish query planned before the issue's partition was attached and run
// after the issue started. PostgreSQL plans a statement on the partitions
// attached at planning time and ignores those attached since (ATTACH takes
// no lock that stops a concurrent query), yet in READ COMMITTED it takes
// the statement's snapshot after planning: such a query saw the issue
// "sending" and none of its deliveries, and marked it sent.
// TestLastDeliveryFinishesIssue failed that way once under CI load.
//
// The window between planning and execution is held open here: another
// issue's partition is locked, so the finish query waits while planning,
// after it has read the list of partitions.
func TestFinishIssuesPlannedBeforeThePartitionExists(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := fanOutIssue(t, db, 3)
	if _, err := db.Pool.Exec(ctx, `SELECT create_deliveries_partition(999999)`); err != nil {
		t.Fatal(err)
	}
	blocker, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback(ctx)
	if _, err := blocker.Exec(ctx, `LOCK TABLE deliveries_999999 IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	waiting := func(table string) bool {
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = to_regclass($1)`,
			table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}

	finished := make(chan error, 1)
	go func() {
		_, err := db.FinishIssues(ctx)
		finished <- err
	}()
	fixture.WaitFor(t, "the finish query to wait on the locked partition", func() bool { return waiting("deliveries_999999") })

	started := make(chan error, 1)
	go func() {
		_, err := db.StartIssue(ctx, issue, []string{bulletin.IssueScheduled})
		started <- err
	}()
	// Either the start commits while the finish query waits (what made
	// the defect), or it waits for the finish query to end first.
	var startErr error
	startDone := false
	fixture.WaitFor(t, "the issue to start, or to wait for the finish query", func() bool {
		select {
		case startErr = <-started:
			startDone = true
			return true
		default:
			return waiting("deliveries")
		}
	})
	if err := blocker.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fixture.Wait(t, "FinishIssues", finished); err != nil {
		t.Fatal(err)
	}
	if !startDone {
		startErr = fixture.Wait(t, "StartIssue", started)
	}
	if startErr != nil {
		t.Fatal(startErr)
	}
	var status string
	var pending int
	if err := db.Pool.QueryRow(ctx, `SELECT status, (SELECT count(*) FROM deliveries WHERE issue_id = $1 AND status = 'pending')
		FROM issues WHERE id = $1`, issue).Scan(&status, &pending); err != nil {
		t.Fatal(err)
	}
	if status != bulletin.IssueSending || pending != 3 {
		t.Errorf("issue is %s with %d deliveries pending, want sending with 3", status, pending)
	}
}
