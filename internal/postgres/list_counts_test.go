package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/jackc/pgx/v5"
)

// checkCounts compares every list's kept counts (CountList, migration
// 0180) and the sum of its growth figures' net changes with a count of its
// memberships, and finds no kept row for a list that is gone.
func checkCounts(t *testing.T, db *postgres.DB, step string) {
	t.Helper()
	ctx := context.Background()
	ls, err := db.FindLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		got, err := db.CountList(ctx, l.Slug)
		if err != nil {
			t.Fatalf("%s: count %s: %v", step, l.Slug, err)
		}
		var want bulletin.ListCounts
		err = db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'active'),
			count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'unsubscribed')
			FROM subscriptions WHERE list_id = $1`, l.ID).Scan(&want.Active, &want.Pending, &want.Unsubscribed)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%s: list %s counts %+v, its memberships %+v", step, l.Slug, got, want)
		}
		// The growth figures, kept by the same trigger, still add up to
		// the active members.
		var net int
		if err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(net), 0) FROM list_growth WHERE list_id = $1`, l.ID).Scan(&net); err != nil {
			t.Fatal(err)
		}
		if net != want.Active {
			t.Fatalf("%s: list %s growth adds up to %d active, its memberships %d", step, l.Slug, net, want.Active)
		}
	}
	var orphans int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM list_counts c
		WHERE NOT EXISTS (SELECT 1 FROM lists l WHERE l.id = c.list_id)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%s: %d kept rows of deleted lists (%v)", step, orphans, err)
	}
}

// Every way a membership changes keeps the counts equal to count(*): a
// random mix of sign-ups (pending and confirmed), confirmations,
// unsubscribes, preference saves, imports and re-imports (whose "never
// re-subscribe" rule leaves some rows alone), erasures, and a list
// deleted and made again, checked after every step.
func TestListCountsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 17))
	slugs := []string{"double", "single", "other"}
	mustList(t, db, "double", true, true)
	mustList(t, db, "single", true, false)
	mustList(t, db, "other", true, true)
	statuses := []string{"active", "pending", "unsubscribed", "bounced", "blocklisted", ""}
	var confirmTokens, subscriberTokens []string
	email := func() string { return fmt.Sprintf("m%d@Example.org", rnd.IntN(60)) }
	pick := func(s []string) string { return s[rnd.IntN(len(s))] }
	checkCounts(t, db, "empty")
	for step := range 150 {
		var what string
		var err error
		switch op := rnd.IntN(9); op {
		case 0, 1:
			what = "subscribe"
			req := bulletin.SubscribeRequest{List: pick(slugs), Email: email(), Method: bulletin.ConsentForm, Public: true}
			if rnd.IntN(3) == 0 {
				req.Method, req.Confirmed, req.Public = bulletin.ConsentAdmin, true, false
			}
			var res *bulletin.SubscribeResult
			if res, err = db.Subscribe(ctx, req); err == nil {
				if res.ConfirmToken != "" {
					confirmTokens = append(confirmTokens, res.ConfirmToken)
				}
				subscriberTokens = append(subscriberTokens, res.Subscriber.Token)
			}
		case 2:
			what = "confirm"
			if len(confirmTokens) > 0 {
				_, err = db.ConfirmSubscription(ctx, pick(confirmTokens), "192.0.2.1")
			}
		case 3:
			what = "unsubscribe"
			if len(subscriberTokens) > 0 {
				_, err = db.Unsubscribe(ctx, pick(subscriberTokens))
			}
		case 4:
			what = "preferences"
			if len(subscriberTokens) > 0 {
				var lists []string
				for _, s := range slugs {
					if rnd.IntN(2) == 0 {
						lists = append(lists, s)
					}
				}
				_, err = db.SavePreferences(ctx, pick(subscriberTokens), bulletin.PreferencesUpdate{Name: "P", Lists: lists})
			}
		case 5, 6:
			what = "import"
			var b strings.Builder
			b.WriteString("email,name,status\n")
			for range rnd.IntN(40) {
				fmt.Fprintf(&b, "%s,N,%s\n", email(), pick(statuses))
			}
			_, err = db.ImportSubscribers(ctx, pick(slugs), strings.NewReader(b.String()), bulletin.ImportOptions{})
		case 7:
			what = "erase"
			var id int64
			if db.Pool.QueryRow(ctx, `SELECT id FROM subscribers ORDER BY random() LIMIT 1`).Scan(&id) == nil {
				err = db.EraseSubscriber(ctx, id)
			}
		case 8:
			what = "delete list"
			if rnd.IntN(4) == 0 {
				s := pick(slugs)
				if err = db.DeleteList(ctx, s); err == nil {
					mustList(t, db, s, true, s != "single")
				}
			}
		}
		// Refusals (an expired link, a comeback without confirmation, a
		// bounced address) are part of the mix; anything else is not.
		if err != nil && bulletin.ErrorCode(err) != bulletin.EUNPROCESSABLE && bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
			t.Fatalf("step %d %s: %v", step, what, err)
		}
		checkCounts(t, db, fmt.Sprintf("step %d (%s)", step, what))
	}
	var total int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscriptions`).Scan(&total)
	if total == 0 {
		t.Fatal("the mix left no memberships to count")
	}
}

// Concurrent changes to one list lose no count and end in no deadlock:
// several goroutines sign addresses up and confirm them while two imports
// (the second re-importing half of the first's addresses) and erasures
// run on the same list.
func TestListCountsConcurrentSubscribes(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "busy", true, true)
	mustList(t, db, "quiet", true, false)
	// Addresses on both lists that only the erasures touch (an erasure
	// racing a confirmation of the same address: confirm_erase_test.go).
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 20 {
		fmt.Fprintf(&b, "e%d@example.org,E\n", i)
	}
	importCSV(t, db, "busy", b.String())
	importCSV(t, db, "quiet", b.String())
	rows, _ := db.Pool.Query(ctx, `SELECT id FROM subscribers WHERE email LIKE 'e%' ORDER BY id`)
	doomed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(doomed) != 20 {
		t.Fatalf("%d to erase (%v)", len(doomed), err)
	}
	const workers, each = 6, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers+3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				res, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "busy",
					Email: fmt.Sprintf("w%d-%d@example.org", w, i), Method: bulletin.ConsentForm, Public: true})
				if err != nil {
					errs <- fmt.Errorf("subscribe: %w", err)
					return
				}
				if i%2 == 0 {
					if _, err := db.ConfirmSubscription(ctx, res.ConfirmToken, ""); err != nil {
						errs <- fmt.Errorf("confirm: %w", err)
						return
					}
				}
				// A membership of another list in the same goroutine, so
				// that statements take both lists' rows.
				if i%5 == 0 {
					if _, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "quiet",
						Email: fmt.Sprintf("w%d-%d@example.org", w, i), Method: bulletin.ConsentForm, Public: true}); err != nil {
						errs <- fmt.Errorf("subscribe quiet: %w", err)
						return
					}
				}
			}
		}()
	}
	for imp := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b strings.Builder
			b.WriteString("email,name,status\n")
			// The two files share half their addresses (a re-import), and
			// none with the sign-ups in flight: an import retries a
			// racing sign-up of one of its new addresses only twice.
			for i := range 400 {
				fmt.Fprintf(&b, "i%d@example.org,I,%s\n", i+imp*200, []string{"active", "unsubscribed"}[i%2])
			}
			if _, err := db.ImportSubscribers(ctx, "busy", strings.NewReader(b.String()), bulletin.ImportOptions{}); err != nil {
				errs <- fmt.Errorf("import %d: %w", imp, err)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, id := range doomed {
			if err := db.EraseSubscriber(ctx, id); err != nil {
				errs <- fmt.Errorf("erase: %w", err)
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkCounts(t, db, "after the concurrent changes")
	c, err := db.CountList(ctx, "busy")
	if err != nil || c.Active == 0 || c.Pending == 0 || c.Unsubscribed == 0 {
		t.Fatalf("busy counts %+v (%v): want some of each", c, err)
	}
}

// A TRUNCATE of the memberships (as the tests and the import benchmark
// do) leaves every list at nought, and a deleted list's row goes with it.
func TestListCountsTruncateAndDelete(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "a", true, false)
	mustList(t, db, "b", true, false)
	importCSV(t, db, "a", "email,name\nx@example.org,X\ny@example.org,Y\n")
	importCSV(t, db, "b", "email,name\nx@example.org,X\n")
	if c, err := db.CountList(ctx, "a"); err != nil || c.Active != 2 {
		t.Fatalf("a counts %+v (%v), want 2 active", c, err)
	}
	if err := db.DeleteList(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM list_counts`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("%d kept rows after deleting b (%v), want a's alone", rows, err)
	}
	if _, err := db.CountList(ctx, "b"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("count of a deleted list: %v, want ENOTFOUND", err)
	}
	if _, err := db.Pool.Exec(ctx, `TRUNCATE subscribers, subscriptions CASCADE`); err != nil {
		t.Fatal(err)
	}
	if c, err := db.CountList(ctx, "a"); err != nil || c != (bulletin.ListCounts{}) {
		t.Fatalf("a counts %+v (%v) after TRUNCATE, want none", c, err)
	}
	importCSV(t, db, "a", "email,name\nz@example.org,Z\n")
	if c, err := db.CountList(ctx, "a"); err != nil || c != (bulletin.ListCounts{Active: 1}) {
		t.Fatalf("a counts %+v (%v) after TRUNCATE and an import of one, want 1 active", c, err)
	}
}

// Statements that change several lists take the lists' count rows in list
// order, so a preference save (one statement per list) racing
// unsubscribes and erasures (one statement over every list) must not
// deadlock even when the lists' names sort the other way round.
func TestListCountsNoDeadlockAcrossLists(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	// Made in this order, "zz" has the lower id and sorts last by name.
	mustList(t, db, "zz", true, false)
	mustList(t, db, "aa", true, false)
	const n = 40
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 2 * n {
		fmt.Fprintf(&b, "d%d@example.org,D\n", i)
	}
	importCSV(t, db, "zz", b.String())
	importCSV(t, db, "aa", b.String())
	tokens := make([]string, 2*n)
	ids := make([]int64, 2*n)
	for i := range tokens {
		if err := db.Pool.QueryRow(ctx, `SELECT id, token FROM subscribers WHERE email = $1`,
			fmt.Sprintf("d%d@example.org", i)).Scan(&ids[i], &tokens[i]); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for _, lists := range [][]string{{}, {"aa", "zz"}, {}} {
				if _, err := db.SavePreferences(ctx, tokens[i], bulletin.PreferencesUpdate{Name: "P", Lists: lists}); err != nil {
					errs <- fmt.Errorf("save preferences: %w", err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				if _, err := db.Unsubscribe(ctx, tokens[n+i]); err != nil {
					errs <- fmt.Errorf("unsubscribe: %w", err)
				}
			} else if err := db.EraseSubscriber(ctx, ids[n+i]); err != nil {
				errs <- fmt.Errorf("erase: %w", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkCounts(t, db, "after the race")
}
