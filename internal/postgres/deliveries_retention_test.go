package postgres_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"bulletin/internal/pgtest"
)

// An issue gets its own partition of deliveries when it starts. Once it
// was sent longer ago than the retention, its partition is dropped, its
// counts are recomputed and marked final, and a subscriber's hard failure
// is kept for the bounce rule. A recent issue is left alone, and a second
// round (or a second process) finds nothing more to do.
func TestDropOldDeliveries(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue, first := startedIssue(t, db, 5)
	if first != 5 {
		t.Fatalf("first chunk %d, want 5", first)
	}
	var part *string
	if err := db.Pool.QueryRow(ctx, `SELECT to_regclass('deliveries_' || $1::bigint)::text`, issue).Scan(&part); err != nil || part == nil {
		t.Fatalf("issue %d has no partition (%v)", issue, err)
	}
	// Four sent, one refused for good with a 550; the kept counts are
	// deliberately wrong, to see them recomputed.
	var failedSub int64
	if err := db.Pool.QueryRow(ctx, `WITH f AS (UPDATE deliveries SET status = 'failed', last_code = 550
			WHERE issue_id = $1 AND id = (SELECT min(id) FROM deliveries WHERE issue_id = $1) RETURNING subscriber_id),
		s AS (UPDATE deliveries SET status = 'sent', last_code = 250 WHERE issue_id = $1
			AND id <> (SELECT min(id) FROM deliveries WHERE issue_id = $1)),
		c AS (UPDATE delivery_counts SET sent = 1 WHERE issue_id = $1),
		i AS (UPDATE issues SET status = 'sent', fanout_after = NULL, sent_at = now() - interval '400 days' WHERE id = $1)
		SELECT subscriber_id FROM f`, issue).Scan(&failedSub); err != nil {
		t.Fatal(err)
	}
	var recent int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status, sent_at)
		SELECT newsletter_id, 2, 'sent', now() - interval '10 days' FROM issues WHERE id = $1 RETURNING id`, issue).Scan(&recent); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `SELECT create_deliveries_partition($1)`, recent); err != nil {
		t.Fatal(err)
	}

	dropped, err := db.DropOldDeliveriesWait(ctx, 365*24*time.Hour, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 1 || dropped[0].IssueID != issue || dropped[0].Rows != 5 {
		t.Fatalf("dropped %+v, want issue %d with 5 rows", dropped, issue)
	}
	var gone, kept bool
	if err := db.Pool.QueryRow(ctx, `SELECT to_regclass('deliveries_' || $1::bigint) IS NULL, to_regclass('deliveries_' || $2::bigint) IS NOT NULL`,
		issue, recent).Scan(&gone, &kept); err != nil || !gone || !kept {
		t.Fatalf("old partition gone %v, recent kept %v (%v)", gone, kept, err)
	}
	var fnGone bool
	if err := db.Pool.QueryRow(ctx, `SELECT to_regprocedure('mark_sent_' || $1::bigint || '(bigint[], text[])') IS NULL`, issue).Scan(&fnGone); err != nil || !fnGone {
		t.Fatalf("the dropped issue's 250s function is still there (%v)", err)
	}
	var total, sent, failed int64
	var final bool
	if err := db.Pool.QueryRow(ctx, `SELECT total, sent, failed, final_at IS NOT NULL FROM delivery_counts WHERE issue_id = $1`,
		issue).Scan(&total, &sent, &failed, &final); err != nil {
		t.Fatal(err)
	}
	if total != 5 || sent != 4 || failed != 1 || !final {
		t.Errorf("counts %d/%d/%d final %v, want 5/4/1 final", total, sent, failed, final)
	}
	var run int
	if err := db.Pool.QueryRow(ctx, `SELECT hard_run FROM delivery_history WHERE subscriber_id = $1`, failedSub).Scan(&run); err != nil || run != 1 {
		t.Errorf("kept hard run %d (%v), want 1", run, err)
	}
	var others int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM delivery_history`).Scan(&others); err != nil || others != 1 {
		t.Errorf("%d history rows (%v), want only the hard failure's", others, err)
	}
	again, err := db.DropOldDeliveriesWait(ctx, 365*24*time.Hour, 5*time.Second)
	if err != nil || len(again) != 0 {
		t.Errorf("second round dropped %+v (%v), want nothing", again, err)
	}
}

// While one process holds the retention lock, another does nothing.
func TestDropOldDeliveriesOneAtATime(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue, _ := startedIssue(t, db, 3)
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'cancelled' WHERE id = $1`, issue); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(0x62756c6c_0140)); err != nil {
		t.Fatal(err)
	}
	dropped, err := db.DropOldDeliveriesWait(ctx, 365*24*time.Hour, time.Second)
	if err != nil || len(dropped) != 0 {
		t.Errorf("with the lock held elsewhere dropped %+v (%v), want nothing", dropped, err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(0x62756c6c_0140)); err != nil {
		t.Fatal(err)
	}
	conn.Release()
	dropped, err = db.DropOldDeliveriesWait(ctx, 365*24*time.Hour, time.Second)
	if err != nil || len(dropped) != 1 || dropped[0].IssueID != issue {
		t.Errorf("cancelled issue: dropped %+v (%v), want issue %d", dropped, err, issue)
	}
}

// A row stored before its issue had a partition lands in the default
// partition; making the partition moves it there, and a second call
// changes nothing.
func TestCreateDeliveriesPartitionMovesRows(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := fanOutIssue(t, db, 2)
	if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id) SELECT $1, min(id) FROM subscribers`, issue); err != nil {
		t.Fatal(err)
	}
	var made, again bool
	if err := db.Pool.QueryRow(ctx, `SELECT create_deliveries_partition($1)`, issue).Scan(&made); err != nil || !made {
		t.Fatalf("made %v (%v), want a new partition", made, err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT create_deliveries_partition($1)`, issue).Scan(&again); err != nil || again {
		t.Fatalf("second call made %v (%v), want nothing", again, err)
	}
	var inDefault, inOwn int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM deliveries_default),
		(SELECT count(*) FROM deliveries WHERE issue_id = $1 AND tableoid = ('deliveries_' || $1::bigint)::regclass)`, issue).Scan(&inDefault, &inOwn); err != nil {
		t.Fatal(err)
	}
	if inDefault != 0 || inOwn != 1 {
		t.Errorf("%d rows left in the default partition, %d in the issue's, want 0 and 1", inDefault, inOwn)
	}
	// The fan-out carries on in the partition; the unique key still holds.
	if _, err := db.StartIssue(ctx, issue, []string{"scheduled"}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries_`+strconv.FormatInt(issue, 10)).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d deliveries in the issue's partition (%v), want 2", n, err)
	}
}
