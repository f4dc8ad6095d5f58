package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"

	"github.com/jackc/pgx/v5"
)

// Sign-ups that race an import for its new addresses (each one's row
// uncommitted while the merge reaches it, then committed: 23505 for the
// merge) three times running cannot fail the import: its last attempt
// takes the subscribers table's lock, waits for the sign-up in flight and
// then merges; every address of the file ends up a member.
func TestImportOutlastsRacingSignUps(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, false)
	var file strings.Builder
	file.WriteString("email,name\n")
	for i := range 50 {
		fmt.Fprintf(&file, "a%d@example.org,A\n", i)
	}
	racers := []string{"x1@example.org", "x2@example.org", "x3@example.org"} // in the merge's (folded) order, after the a's
	for _, e := range racers {
		fmt.Fprintf(&file, "%s,X\n", e)
	}
	// signUp inserts the address as a sign-up would and leaves its
	// transaction open; it returns the transaction and its id.
	signUp := func(email string) (pgx.Tx, string) {
		t.Helper()
		tx, err := db.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tx.Rollback(ctx) })
		var xid string
		if err := tx.QueryRow(ctx, `INSERT INTO subscribers (email, name, token) VALUES ($1, 'Racer', 'race-' || $1)
			RETURNING pg_current_xact_id()::text`, email).Scan(&xid); err != nil {
			t.Fatal(err)
		}
		return tx, xid
	}
	waitLock := func(what, sql string, args ...any) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var n int
			if err := db.Pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the import never waited on %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	onXact := `SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted AND transactionid::text = $1`

	first, xid1 := signUp(racers[0])
	type result struct {
		res *bulletin.ImportResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := db.ImportSubscribers(ctx, "weekly", strings.NewReader(file.String()), bulletin.ImportOptions{})
		done <- result{res, err}
	}()
	waitLock("the first sign-up", onXact, xid1)
	second, xid2 := signUp(racers[1])
	commit(t, first) // attempt 1: 23505 on x1
	waitLock("the second sign-up", onXact, xid2)
	third, xid3 := signUp(racers[2])
	commit(t, second) // attempt 2: 23505 on x2
	// Attempt 3 waits for the third sign-up either way: on its row (the
	// merge as it was, failing once it commits) or on the table's lock.
	waitLock("the third sign-up", `SELECT count(*) FROM pg_locks WHERE NOT granted AND
		(locktype = 'transactionid' AND transactionid::text = $1 OR locktype = 'relation' AND relation = 'subscribers'::regclass)`, xid3)
	commit(t, third)
	r := <-done
	if r.err != nil {
		t.Fatalf("import after three racing sign-ups: %v", r.err)
	}
	if r.res.Imported != 53 || r.res.Created != 50 {
		t.Errorf("imported %d, created %d; want 53 and 50 (the racers were known by then)", r.res.Imported, r.res.Created)
	}
	if got := len(receivers(t, db, "weekly")); got != 53 {
		t.Errorf("%d members, want every address of the file", got)
	}
	checkCounts(t, db, "after the race")
}

func commit(t *testing.T, tx pgx.Tx) {
	t.Helper()
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
}
