package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// A confirmation racing an erasure of the same reader takes the rows in
// the erasure's order (the subscriber, then the membership), so one waits
// for the other: the erasure always succeeds, the confirmation succeeds or
// finds its link gone, and PostgreSQL never has to abort a deadlock.
func TestConfirmRacingErasure(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	const n = 150
	tokens := make([]string, n)
	ids := make([]int64, n)
	for i := range n {
		res, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly",
			Email: fmt.Sprintf("c%d@example.org", i), Method: bulletin.ConsentForm, Public: true})
		if err != nil || res.ConfirmToken == "" {
			t.Fatalf("subscribe %d: %+v, %v", i, res, err)
		}
		tokens[i], ids[i] = res.ConfirmToken, res.Subscriber.ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	var confirmed, gone int
	var mu sync.Mutex
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := db.ConfirmSubscription(ctx, tokens[i], "")
			mu.Lock()
			defer mu.Unlock()
			switch bulletin.ErrorCode(err) {
			case "":
				confirmed++
			case bulletin.ENOTFOUND:
				gone++
			default:
				errs <- fmt.Errorf("confirm %d: %w", i, err)
			}
		}()
		go func() {
			defer wg.Done()
			if err := db.EraseSubscriber(ctx, ids[i]); err != nil {
				errs <- fmt.Errorf("erase %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if confirmed+gone != n {
		t.Errorf("%d confirmed and %d gone of %d", confirmed, gone, n)
	}
	var left int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscribers`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d subscribers left after erasing all (%v)", left, err)
	}
	checkCounts(t, db, "after the race")
	t.Logf("%d confirmed before their erasure, %d erased first", confirmed, gone)
}
