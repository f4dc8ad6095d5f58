package postgres_test

import (
	"context"
	"fmt"
	"strings"
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

// The per-subscriber history walks issues in the order they were sent,
// newest first, one partition each: the subscriber record lists them so,
// a complaint without a VERP address counts against the last issue sent,
// a bounce without one fails the last message to the address, and an
// issue whose rows retention dropped is not read.
func TestSubscriberHistoryNewestIssueFirst(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	nl, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sub int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO subscribers (email, token, status, created_at)
		VALUES ('reader@example.org', 'tok-reader', 'active', now() - interval '1 year') RETURNING id`).Scan(&sub); err != nil {
		t.Fatal(err)
	}
	// Issue numbers 1 to 4 were sent 4, 3, 2 and 1 weeks ago; their ids
	// are made in another order, and their delivery ids in another again,
	// so only the sending order can give 4, 3, 2, 1.
	type sent struct {
		number, weeksAgo int
		status           string
		final            bool // retention dropped its rows
	}
	ids := map[int]int64{}
	for _, s := range []sent{{3, 2, "sent", false}, {1, 4, "sent", true}, {4, 1, "failed", false}, {2, 3, "sent", false}} {
		var issue int64
		if err := db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status, started_at, sent_at)
			VALUES ($1, $2, 'sent', now() - $3::int * interval '1 week', now() - $3::int * interval '1 week' + interval '1 hour')
			RETURNING id`, nl.ID, s.number, s.weeksAgo).Scan(&issue); err != nil {
			t.Fatal(err)
		}
		ids[s.number] = issue
		if _, err := db.Pool.Exec(ctx, `SELECT create_deliveries_partition($1)`, issue); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, status, last_code, sent_at)
			VALUES ($1, $2, $3, CASE $3 WHEN 'sent' THEN 250 ELSE 550 END, now())`, issue, sub, s.status); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO delivery_counts (issue_id, total, final_at)
			VALUES ($1, 1, CASE WHEN $2 THEN now() END)`, issue, s.final); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := db.SubscriberRecord(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, d := range rec.Deliveries {
		got = append(got, d.Number)
	}
	if fmt.Sprint(got) != "[4 3 2]" {
		t.Errorf("subscriber record lists issues %v, want [4 3 2] (newest sent first; issue 1's rows dropped)", got)
	}

	out := applyBounceTo(t, db, 1, inbound.Action{Kind: inbound.KindComplaint, Email: "reader@example.org"})
	var complained int64
	if err := db.Pool.QueryRow(ctx, `SELECT issue_id FROM inbound_messages WHERE effect = $1`, out).Scan(&complained); err != nil {
		t.Fatal(err)
	}
	if complained != ids[3] {
		t.Errorf("complaint counted against issue %d, want issue number 3 (%d): the last one sent, not the failed 4", complained, ids[3])
	}

	// A bounce with no VERP address is about the last message to the
	// address that is not pending: number 4, which had already failed.
	out = applyBounceTo(t, db, 2, inbound.Action{Kind: inbound.KindBounce, Recipient: "READER@example.org", Failed: true,
		Permanent: true, Status: "5.1.1", BounceAfter: 3})
	if !strings.Contains(out, "had already failed") {
		t.Errorf("bounce by address: effect %q, want the last message (number 4, failed) found", out)
	}
}
