package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/delivery"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// sentState is how many of issue's deliveries are sent, and its kept count.
func sentState(t *testing.T, db *postgres.DB, issue int64) (rows, kept int64) {
	t.Helper()
	if err := db.Pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM deliveries WHERE issue_id = $1 AND status = 'sent' AND last_code = 250),
		coalesce((SELECT sent FROM delivery_counts WHERE issue_id = $1), 0)`, issue).Scan(&rows, &kept); err != nil {
		t.Fatal(err)
	}
	return rows, kept
}

// 250s of one issue go through that issue's own function (migration
// 0143), made with its partition: the rows are marked once and the kept
// count moves once, however often the same 250s are recorded.
func TestMarkSentThroughTheIssuesFunction(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue, _ := startedIssue(t, db, 4)
	var fn *string
	if err := db.Pool.QueryRow(ctx, `SELECT to_regprocedure('mark_sent_' || $1::bigint || '(bigint[], text[])')::text`, issue).Scan(&fn); err != nil || fn == nil {
		t.Fatalf("issue %d has no 250s function (%v)", issue, err)
	}
	rows, _ := db.Pool.Query(ctx, `SELECT id, subscriber_id FROM deliveries WHERE issue_id = $1 ORDER BY id LIMIT 2`, issue)
	var sent []delivery.Sent
	for rows.Next() {
		s := delivery.Sent{IssueID: issue, Reply: "250 2.0.0 ok"}
		if err := rows.Scan(&s.ID, &s.SubscriberID); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, s)
	}
	if err := rows.Err(); err != nil || len(sent) != 2 {
		t.Fatalf("%d deliveries (%v), want 2", len(sent), err)
	}
	for range 2 {
		if err := db.MarkSent(ctx, sent); err != nil {
			t.Fatal(err)
		}
		if n, kept := sentState(t, db, issue); n != 2 || kept != 2 {
			t.Fatalf("%d rows sent, kept count %d; want 2 and 2", n, kept)
		}
	}
}

// An issue whose rows are still in the default partition has no function
// of its own; its 250s are recorded by the general one.
func TestMarkSentWithoutPartition(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := fanOutIssue(t, db, 2)
	var id, sub int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO deliveries (issue_id, subscriber_id) SELECT $1, min(id) FROM subscribers
		RETURNING id, subscriber_id`, issue).Scan(&id, &sub); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, []delivery.Sent{{ID: id, IssueID: issue, SubscriberID: sub, Reply: "250 ok"}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := sentState(t, db, issue); n != 1 {
		t.Fatalf("%d rows sent, want 1", n)
	}
}
