package delivery_test

import (
	"context"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// gatedFanOut holds background fan-outs until open is closed.
type gatedFanOut struct {
	db   *postgres.DB
	open chan struct{}
}

func (g gatedFanOut) FanOut(ctx context.Context, issueID int64) (int64, error) {
	select {
	case <-g.open:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return g.db.FanOut(ctx, issueID)
}

// runFanOuts runs f until the test ends.
func runFanOuts(t *testing.T, f *delivery.FanOuts) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("fan-outs: %v", err)
		}
	})
}

func deliveryCount(t *testing.T, db *postgres.DB, issue int64) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM deliveries WHERE issue_id = $1`, issue).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// With FanOuts running, Send answers once the issue is sending with its
// first chunk (the rest held back here, to show Send did not wait for
// it); the rest follows in the background and every subscriber gets one
// copy.
func TestSendLeavesTheFanOutToTheBackground(t *testing.T) {
	db := pgtest.New(t)
	const n = 2500
	issue := seed(t, db, n)
	s := newSink(t)
	_, svc := startPool(t, db, s, fastConfig())
	gate := gatedFanOut{db, make(chan struct{})}
	fo := &delivery.FanOuts{Store: gate, Log: testLog(t), Wake: svc.Wake}
	runFanOuts(t, fo)
	svc.Continue = fo.Continue
	waitFor(t, fixture.WaitTimeout, "the fan-out service running", fo.Running)
	first, err := svc.Send(context.Background(), "weekly", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveryCount(t, db, issue); first != 1000 || got != 1000 {
		t.Fatalf("Send returned %d with %d deliveries; want the first chunk of 1000 and the rest still to come", first, got)
	}
	if st := issueStatus(t, db, issue); st != bulletin.IssueSending {
		t.Fatalf("issue is %s after Send, want sending", st)
	}
	if p, err := db.IssueProgress(context.Background(), issue); err != nil || !p.FanningOut {
		t.Fatalf("progress during the fan-out: %+v, %v; want fanning_out", p, err)
	}
	close(gate.open)
	waitFinished(t, db, issue, fixture.WaitTimeout)
	if p, err := db.IssueProgress(context.Background(), issue); err != nil || p.FanningOut || p.Total != n {
		t.Errorf("progress once sent: %+v, %v; want %d in all, not fanning out", p, err, n)
	}
	if got := deliveryCount(t, db, issue); got != n {
		t.Errorf("%d deliveries, want %d", got, n)
	}
	checkDelivered(t, s, n, 0)
	checkCounts(t, db, issue)
}

// Without FanOuts running, Continue takes nothing and Send fans out
// itself, as the CLI's send does.
func TestSendFansOutItselfWhenNothingRunsInTheBackground(t *testing.T) {
	db := pgtest.New(t)
	const n = 2500
	issue := seed(t, db, n)
	fo := &delivery.FanOuts{Store: db, Log: testLog(t)}
	svc := &delivery.Service{Store: db, Transport: transport(newSink(t)), Config: fastConfig(), Log: testLog(t), Continue: fo.Continue}
	created, err := svc.Send(context.Background(), "weekly", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveryCount(t, db, issue); created != n || got != n {
		t.Errorf("Send created %d, %d deliveries exist; want %d", created, got, n)
	}
}

// A background fan-out stopped before it ran (the process stopping) keeps
// the issue's position; a sender continues it and nothing is sent twice.
func TestStoppedBackgroundFanOutIsContinuedBySenders(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	const n = 2500
	issue := seed(t, db, n)
	gate := gatedFanOut{db, make(chan struct{})} // never opened
	fo := &delivery.FanOuts{Store: gate, Log: testLog(t)}
	fctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- fo.Run(fctx) }()
	waitFor(t, fixture.WaitTimeout, "the fan-out service running", fo.Running)
	svc := &delivery.Service{Store: db, Transport: transport(newSink(t)), Config: fastConfig(), Log: testLog(t), Continue: fo.Continue}
	if first, err := svc.Send(ctx, "weekly", 1); err != nil || first != 1000 {
		t.Fatalf("Send: %d, %v; want the first chunk of 1000", first, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fo.Continue(issue) {
		t.Fatal("a stopped FanOuts took more work")
	}
	continuedBySenders(t, db, issue, n)
}
