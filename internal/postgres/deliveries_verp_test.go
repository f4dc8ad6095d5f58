package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"bulletin/internal/inbound"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// A bounce to a VERP address finds its delivery whether the address names
// the issue (the current format) or only the delivery (the first format,
// sent before addresses carried the issue), and a delivery named with
// another issue is not taken from the partition it lives in.
func TestBounceFindsDeliveryByVERPInBothFormats(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue, _ := startedIssue(t, db, 3)
	other := otherPartitionedIssue(t, db, issue)
	var ids []int64
	rows, _ := db.Pool.Query(ctx, `UPDATE deliveries SET status = 'sent', last_code = 250 WHERE issue_id = $1 RETURNING id`, issue)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if rows.Err() != nil || len(ids) != 3 {
		t.Fatalf("%d deliveries (%v), want 3", len(ids), rows.Err())
	}
	for i, c := range []struct {
		issue  int64
		effect string
		status string
	}{
		{issue, "failed: 5.1.1", "failed"},                                       // bounces+{issue}-{id}-{tag}
		{0, "failed: 5.1.1", "failed"},                                           // bounces+{id}-{tag}
		{other, "ignored: no delivery " + strconv.FormatInt(ids[2], 10), "sent"}, // not in that issue's partition
	} {
		out := applyBounceTo(t, db, i, inbound.Action{Kind: inbound.KindBounce, DeliveryID: ids[i], IssueID: c.issue,
			Failed: true, Permanent: true, Status: "5.1.1", BounceAfter: 3})
		if !strings.Contains(out, c.effect) {
			t.Errorf("bounce %d (issue %d): effect %q, want it to say %q", i, c.issue, out, c.effect)
		}
		var status string
		if err := db.Pool.QueryRow(ctx, `SELECT status FROM deliveries WHERE id = $1`, ids[i]).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != c.status {
			t.Errorf("bounce %d (issue %d): delivery is %s, want %s", i, c.issue, status, c.status)
		}
	}
	// A complaint through the Return-Path finds the subscriber by the
	// same lookup, in either format.
	for i, iss := range []int64{issue, 0} {
		out := applyBounceTo(t, db, 10+i, inbound.Action{Kind: inbound.KindComplaint, DeliveryID: ids[i], IssueID: iss})
		if !strings.Contains(out, "unsubscribed from every list") {
			t.Errorf("complaint %d (issue %d): effect %q", i, iss, out)
		}
	}
}

// The lookup by a VERP address that names the issue reads that issue's
// partition only; the first format's reads every partition. A renewal of
// leases names its rows' issues and so reads only theirs too.
func TestLookupsNamingTheIssueTouchOnePartition(t *testing.T) {
	db := pgtest.New(t)
	issue, _ := startedIssue(t, db, 3)
	other := otherPartitionedIssue(t, db, issue)
	plan := func(where string, args ...any) string {
		t.Helper()
		return explain(t, db, `SELECT id, issue_id, subscriber_id, status FROM deliveries WHERE `+where, args...)
	}
	own, otherName := "deliveries_"+strconv.FormatInt(issue, 10), "deliveries_"+strconv.FormatInt(other, 10)
	p := plan(`id = $1 AND issue_id = $2`, int64(1), issue)
	if !strings.Contains(p, own) || strings.Contains(p, otherName) || strings.Contains(p, "deliveries_default") {
		t.Errorf("lookup with the issue reads more than %s:\n%s", own, p)
	}
	p = plan(`id = $1`, int64(1))
	if !strings.Contains(p, own) || !strings.Contains(p, otherName) {
		t.Errorf("lookup by id alone should probe every partition:\n%s", p)
	}
	p = explain(t, db, `UPDATE deliveries SET locked_until = now() + $2 * interval '1 millisecond'
		WHERE issue_id = ANY($3) AND id = ANY($1) AND status = 'pending' AND locked_until > now() RETURNING id`,
		[]int64{1, 2}, int64(1000), []int64{issue})
	if !strings.Contains(p, own) || strings.Contains(p, otherName) || strings.Contains(p, "deliveries_default") {
		t.Errorf("a renewal of leases of issue %d reads more than %s:\n%s", issue, own, p)
	}
}

// explain is the plan of query with args.
func explain(t *testing.T, db *postgres.DB, query string, args ...any) string {
	t.Helper()
	rows, _ := db.Pool.Query(context.Background(), `EXPLAIN `+query, args...)
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	return b.String()
}

// otherPartitionedIssue adds a second issue of issue's newsletter, with its
// own partition of deliveries.
func otherPartitionedIssue(t *testing.T, db *postgres.DB, issue int64) int64 {
	t.Helper()
	ctx := context.Background()
	var other int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status, sent_at)
		SELECT newsletter_id, number + 1, 'sent', now() FROM issues WHERE id = $1 RETURNING id`, issue).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `SELECT create_deliveries_partition($1)`, other); err != nil {
		t.Fatal(err)
	}
	return other
}

// applyBounceTo stores an inbound message and applies a to it, returning
// the effect recorded.
func applyBounceTo(t *testing.T, db *postgres.DB, n int, a inbound.Action) string {
	t.Helper()
	ctx := context.Background()
	var msg int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO inbound_messages (source, dedupe_key, raw) VALUES ('demo', $1, '')
		RETURNING id`, "verp-"+strconv.Itoa(n)).Scan(&msg); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyInbound(ctx, msg, a); err != nil {
		t.Fatal(err)
	}
	var effect string
	if err := db.Pool.QueryRow(ctx, `SELECT effect FROM inbound_messages WHERE id = $1`, msg).Scan(&effect); err != nil {
		t.Fatal(err)
	}
	return effect
}
