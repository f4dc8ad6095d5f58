package postgres_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/delivery"
	"bulletin/internal/pgtest"
)

// A claimed delivery stays pending under a lease: no other claim takes it
// while the lease runs, the next claim after it expires does (and says so),
// and a release gives it back without counting the attempt.
func TestClaimLeases(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	startedIssue(t, db, 3)
	jobs, err := db.ClaimDeliveries(ctx, 2, time.Hour)
	if err != nil || len(jobs) != 2 || jobs[0].Attempts != 1 || jobs[0].Rescued {
		t.Fatalf("first claim: %+v, %v; want two fresh jobs at attempt 1", jobs, err)
	}
	var pending, leased int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'pending'),
		count(*) FILTER (WHERE locked_until > now()) FROM deliveries`).Scan(&pending, &leased); err != nil || pending != 3 || leased != 2 {
		t.Fatalf("after the claim %d pending, %d leased (%v); want 3 pending, 2 of them leased", pending, leased, err)
	}
	more, err := db.ClaimDeliveries(ctx, 10, time.Millisecond)
	if err != nil || len(more) != 1 || more[0].ID == jobs[0].ID || more[0].ID == jobs[1].ID {
		t.Fatalf("second claim: %+v, %v; want only the unleased row", more, err)
	}
	time.Sleep(5 * time.Millisecond) // the second claim's 1 ms lease runs out
	again, err := db.ClaimDeliveries(ctx, 10, time.Hour)
	if err != nil || len(again) != 1 || again[0].ID != more[0].ID || !again[0].Rescued || again[0].Attempts != 2 {
		t.Fatalf("claim after the lease expired: %+v, %v; want that row again, rescued, attempt 2", again, err)
	}
	if err := db.ReleaseDeliveries(ctx, []int64{jobs[0].ID}); err != nil {
		t.Fatal(err)
	}
	back, err := db.ClaimDeliveries(ctx, 10, time.Hour)
	if err != nil || len(back) != 1 || back[0].ID != jobs[0].ID || back[0].Attempts != 1 || back[0].Rescued {
		t.Fatalf("claim after a release: %+v, %v; want the released row, attempt 1, not rescued", back, err)
	}
}

// "Bounced" takes hard failures in a row: a delivered message clears the
// count of its subscriber, and only of its subscriber.
func TestDeliveredMessageClearsHardFailures(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	startedIssue(t, db, 2)
	if _, err := db.Pool.Exec(ctx, `UPDATE subscribers SET hard_bounces = 2`); err != nil {
		t.Fatal(err)
	}
	jobs, err := db.ClaimDeliveries(ctx, 1, time.Hour)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %+v, %v", jobs, err)
	}
	if err := db.MarkSent(ctx, []delivery.Sent{{ID: jobs[0].ID, SubscriberID: jobs[0].SubscriberID, Reply: "250 2.0.0 queued"}}); err != nil {
		t.Fatal(err)
	}
	var delivered, other int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT hard_bounces FROM subscribers WHERE id = $1),
		(SELECT max(hard_bounces) FROM subscribers WHERE id <> $1 AND status = 'active')`, jobs[0].SubscriberID).Scan(&delivered, &other); err != nil {
		t.Fatal(err)
	}
	if delivered != 0 || other != 2 {
		t.Errorf("hard failures after a delivery: %d for its subscriber, %d for the other; want 0 and 2", delivered, other)
	}
}

// A renewal extends the leases still held and leaves alone a lease that
// ran out (another claim may have it by now) and a row already sent.
func TestRenewDeliveries(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	startedIssue(t, db, 3)
	held, err := db.ClaimDeliveries(ctx, 2, time.Hour)
	if err != nil || len(held) != 2 {
		t.Fatalf("claim: %+v, %v", held, err)
	}
	lapsed, err := db.ClaimDeliveries(ctx, 1, time.Millisecond)
	if err != nil || len(lapsed) != 1 {
		t.Fatalf("claim: %+v, %v", lapsed, err)
	}
	if err := db.MarkSent(ctx, []delivery.Sent{{ID: held[1].ID, SubscriberID: held[1].SubscriberID, Reply: "250 ok"}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // the 1 ms lease runs out
	renewed, err := db.RenewDeliveries(ctx, []int64{held[0].IssueID}, []int64{held[0].ID, held[1].ID, lapsed[0].ID}, 2*time.Hour)
	if err != nil || len(renewed) != 1 || renewed[0] != held[0].ID {
		t.Fatalf("renewed %v (%v); want only %d, the lease still held", renewed, err, held[0].ID)
	}
	var longLeases int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE locked_until > now() + interval '90 minutes'`).Scan(&longLeases); err != nil || longLeases != 1 {
		t.Errorf("%d rows leased for two hours (%v), want 1", longLeases, err)
	}
}
