package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/inbound"
	"bulletin/internal/pgtest"
)

// The bounce rule (3 hard failures in a row) counts the run kept for
// deliveries whose rows retention dropped: a subscriber with two dropped
// hard failures is bounced by a third, and one without them is not.
func TestBounceRuleCountsDroppedHardFailures(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue, _ := startedIssue(t, db, 2)
	type row struct{ id, sub int64 }
	var ds []row
	rows, _ := db.Pool.Query(ctx, `UPDATE deliveries SET status = 'sent', last_code = 250 WHERE issue_id = $1
		RETURNING id, subscriber_id`, issue)
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.sub); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, r)
	}
	if rows.Err() != nil || len(ds) != 2 {
		t.Fatalf("%d deliveries (%v), want 2", len(ds), rows.Err())
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO delivery_history (subscriber_id, hard_run, last_id) VALUES ($1, 2, 0)`, ds[0].sub); err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		var msg int64
		if err := db.Pool.QueryRow(ctx, `INSERT INTO inbound_messages (source, dedupe_key, raw) VALUES ('demo', $1, '')
			RETURNING id`, "bounce-"+string(rune('a'+i))).Scan(&msg); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyInbound(ctx, msg, inbound.Action{Kind: inbound.KindBounce, DeliveryID: d.id, Failed: true,
			Permanent: true, Status: "5.1.1", BounceAfter: 3}); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []string{"bounced", "active"} {
		var status string
		if err := db.Pool.QueryRow(ctx, `SELECT status FROM subscribers WHERE id = $1`, ds[i].sub).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != want {
			t.Errorf("subscriber %d (kept run %d) is %s, want %s", ds[i].sub, 2-2*i, status, want)
		}
	}
}
