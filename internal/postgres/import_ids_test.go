package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// blockRows is over the import's threshold for an id block (idBlockMin).
const blockRows = 12_000

// bigCSV is a file of n rows reader<i>@example.org for i in [from, from+n),
// with capitals in every third address, so the folded order is not the
// file's order.
func bigCSV(from, n int) string {
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := from + n - 1; i >= from; i-- {
		email := fmt.Sprintf("reader%d@example.org", i)
		if i%3 == 0 {
			email = strings.ToUpper(email[:3]) + email[3:]
		}
		fmt.Fprintf(&b, "%s,Reader %d\n", email, i)
	}
	return b.String()
}

func lastID(t *testing.T, db *postgres.DB) int64 {
	t.Helper()
	var v int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT last_value FROM subscribers_id_seq`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// checkBlock checks that the subscribers created after id `after` whose
// address matches like are count, with contiguous ids in folded order and
// tokens led by their id, and returns their first and last id.
func checkBlock(t *testing.T, db *postgres.DB, after int64, like string, count int) (int64, int64) {
	t.Helper()
	var n, inOrder, tokens int
	var first, last int64
	err := db.Pool.QueryRow(context.Background(), `SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0),
			count(*) FILTER (WHERE r = id - min_id + 1),
			count(*) FILTER (WHERE token LIKE lpad(to_hex(id), 12, '0') || '%' AND length(token) = 34)
		FROM (SELECT id, token, min(id) OVER () AS min_id,
				row_number() OVER (ORDER BY lower(email COLLATE "C")) AS r
			FROM subscribers WHERE id > $1 AND email ILIKE $2) s`, after, like).Scan(&n, &first, &last, &inOrder, &tokens)
	if err != nil {
		t.Fatal(err)
	}
	if n != count || last-first+1 != int64(count) || inOrder != count || tokens != count {
		t.Fatalf("%d new subscribers (want %d), ids %d-%d, %d in folded order, %d tokens led by the id",
			n, count, first, last, inOrder, tokens)
	}
	return first, last
}

// A large import takes one block of ids, one per good row: its new
// subscribers get contiguous ids in folded order, and the rows that were
// known or repeated waste theirs.
func TestImportIDBlock(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", false, false)
	importCSV(t, db, "weekly", bigCSV(0, 3000)) // small: one nextval per row
	before := lastID(t, db)
	// 3,000 known, 12,000 new, 500 lines repeated in other capitals.
	data := bigCSV(0, 3000+blockRows) + strings.ToUpper(bigCSV(3000, 500)[len("email,name\n"):])
	res := importCSV(t, db, "weekly", data)
	good := 3000 + blockRows + 500
	if res.Imported != 3000+blockRows || res.Created != blockRows || res.Skipped != 500 {
		t.Fatalf("result %+v", res)
	}
	if got := lastID(t, db) - before; got != int64(good) {
		t.Fatalf("the sequence moved by %d, want one block of %d (the good rows)", got, good)
	}
	first, _ := checkBlock(t, db, before, "%", blockRows)
	if first != before+1 {
		t.Fatalf("first new id %d, want %d", first, before+1)
	}
	// The sequence goes on after the block.
	sub, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly", Email: "after@example.org", Method: "admin", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Subscriber.ID != before+int64(good)+1 {
		t.Fatalf("next id %d, want %d", sub.Subscriber.ID, before+int64(good)+1)
	}
}

// Sign-ups while a large import runs never fail and never land in its
// block of ids.
func TestImportIDBlockWithConcurrentSubscribe(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", false, false)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ids []int64
	var errs []error
	started := make(chan struct{}) // closed when the first sign-up is in
	var once sync.Once
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				sub, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly",
					Email: fmt.Sprintf("form%d-%d@example.net", g, i), Method: "admin", Confirmed: true})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					ids = append(ids, sub.Subscriber.ID)
				}
				mu.Unlock()
				once.Do(func() { close(started) })
			}
		}()
	}
	// The sign-ups are under way before the import starts.
	<-started
	res, err := db.ImportSubscribers(ctx, "weekly", strings.NewReader(bigCSV(0, blockRows)), bulletin.ImportOptions{})
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != blockRows || len(errs) != 0 {
		t.Fatalf("import %+v; sign-up errors: %v", res, errs)
	}
	first, last := checkBlock(t, db, 0, "reader%", blockRows)
	for _, id := range ids {
		if id >= first && id <= last {
			t.Fatalf("a sign-up got id %d, inside the import's block %d-%d", id, first, last)
		}
	}
	var n int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscribers`).Scan(&n)
	if n != blockRows+len(ids) {
		t.Fatalf("%d subscribers, want %d imported + %d signed up", n, blockRows, len(ids))
	}
	t.Logf("%d sign-ups during the import, block %d-%d", len(ids), first, last)
}

// An import that rolls back after its block was reserved wastes the block
// and leaves the sequence working: sign-ups and the next import go on
// after it. The sequence is fresh (never called), so the block starts at
// its first value, 1.
func TestImportIDBlockRolledBack(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", false, false)
	// Memberships refuse to go in, so the merge fails after the block
	// was reserved.
	if _, err := db.Pool.Exec(ctx, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'refused'; END $$;
		CREATE TRIGGER refuse AFTER INSERT ON subscriptions FOR EACH STATEMENT EXECUTE FUNCTION refuse()`); err != nil {
		t.Fatal(err)
	}
	_, err := db.ImportSubscribers(ctx, "weekly", strings.NewReader(bigCSV(0, blockRows)), bulletin.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("import: %v, want it refused", err)
	}
	var n int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscribers`).Scan(&n)
	wasted := lastID(t, db)
	if n != 0 || wasted != blockRows {
		t.Fatalf("after the rollback: %d subscribers, sequence at %d, want the block 1-%d taken", n, wasted, blockRows)
	}
	if _, err := db.Pool.Exec(ctx, `DROP TRIGGER refuse ON subscriptions`); err != nil {
		t.Fatal(err)
	}
	sub, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly", Email: "next@example.org", Method: "admin", Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Subscriber.ID != wasted+1 {
		t.Fatalf("sign-up after the rollback got id %d, want %d", sub.Subscriber.ID, wasted+1)
	}
	res := importCSV(t, db, "weekly", bigCSV(0, blockRows))
	if res.Created != blockRows {
		t.Fatalf("second import %+v", res)
	}
	if first, _ := checkBlock(t, db, sub.Subscriber.ID, "reader%", blockRows); first != sub.Subscriber.ID+1 {
		t.Fatalf("second import starts at %d, want %d", first, sub.Subscriber.ID+1)
	}
}

// When the sequence can't be had in time (here a transaction that took an
// id stays open), the import takes its ids one by one and still succeeds.
func TestImportIDBlockFallsBackWhenSequenceBusy(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", false, false)
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var held int64
	if err := tx.QueryRow(ctx, `SELECT nextval('subscribers_id_seq')`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	res := importCSV(t, db, "weekly", bigCSV(0, blockRows))
	if res.Created != blockRows {
		t.Fatalf("import %+v", res)
	}
	if got := lastID(t, db) - held; got != blockRows {
		t.Fatalf("the sequence moved by %d, want %d (one id per new row)", got, blockRows)
	}
	checkBlock(t, db, held, "reader%", blockRows) // alone, the one-by-one ids are contiguous too
}
