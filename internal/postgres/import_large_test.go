package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// A larger file with bad lines spread through it: every bad line is
// reported, in file order, the last line wins for an address given twice
// far apart (with its case differing), and progress counts each row once,
// in order.
func TestImportLargeFileKeepsFileOrder(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	const rows = 25_000
	var b strings.Builder
	b.WriteString("email,name,status\n")
	var wantBad []int
	for i := 1; i <= rows; i++ {
		switch {
		case i%97 == 0:
			fmt.Fprintf(&b, "not-an-address-%d,Bad,\n", i)
			wantBad = append(wantBad, i+1)
		case i%89 == 0:
			fmt.Fprintf(&b, "r%d@example.org,\"Open quote %d,\n", i, i)
			wantBad = append(wantBad, i+1)
		case i == 3:
			b.WriteString("first@example.org,First Spelling,active\n")
		case i == 24_500: // the same address, case aside, far later
			b.WriteString("First@Example.org,Last Spelling,unsubscribed\n")
		default:
			fmt.Fprintf(&b, "r%d@example.org,Reader %d,active\n", i, i)
		}
	}
	var progress []int
	res, err := db.ImportSubscribers(ctx, "weekly", strings.NewReader(b.String()),
		bulletin.ImportOptions{Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	var gotBad []int
	for _, e := range res.Errors {
		gotBad = append(gotBad, e.Line)
	}
	if !slices.Equal(gotBad, wantBad) {
		t.Fatalf("bad lines %v\nwant %v", gotBad, wantBad)
	}
	// One address given twice: one imported, the other line skipped.
	if res.Imported != rows-len(wantBad)-1 || res.Skipped != len(wantBad)+1 || res.Imported+res.Skipped != rows {
		t.Fatalf("result: imported %d, skipped %d; want %d + %d", res.Imported, res.Skipped, rows-len(wantBad)-1, len(wantBad)+1)
	}
	if !slices.Equal(progress, []int{10_000, 20_000, 25_000}) {
		t.Fatalf("progress = %v", progress)
	}
	found, err := db.FindSubscribers(ctx, "first@example.org", 0, 2)
	if err != nil || len(found) != 1 || found[0].Name != "Last Spelling" || found[0].Email != "First@example.org" {
		t.Fatalf("the last line did not win: %+v %v", found, err)
	}
	if got := receivers(t, db, "weekly"); slices.Contains(got, "First@example.org") || len(got) != res.Imported-1 {
		t.Fatalf("%d receivers (first@ among them: %v); want %d, without the one the last line unsubscribed",
			len(got), slices.Contains(got, "First@example.org"), res.Imported-1)
	}
}

// failingReader gives good rows, then fails.
type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

// A stream that breaks, or a line too long, after thousands of rows have
// been staged: the import fails whole and keeps nothing.
func TestImportFailsWholeAfterManyRows(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := 1; i <= 3_000; i++ {
		fmt.Fprintf(&b, "r%d@example.org,Reader %d\n", i, i)
	}
	good := b.String()
	broken := errors.New("connection reset")
	_, err := db.ImportSubscribers(ctx, "weekly", &failingReader{strings.NewReader(good), broken}, bulletin.ImportOptions{})
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "after 3000 rows") {
		t.Fatalf("broken stream: %v", err)
	}
	_, err = db.ImportSubscribers(ctx, "weekly", strings.NewReader(good+strings.Repeat("x", 70<<10)+"\nlate@example.org,Late\n"), bulletin.ImportOptions{})
	wantCode(t, err, bulletin.EINVALID)
	if !strings.Contains(err.Error(), "after 3000 rows") {
		t.Fatalf("line too long: %v", err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscribers`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d subscribers after failed imports (%v)", n, err)
	}
}

// The folded address is made in Go while the rows are staged; it must fold
// exactly as the unique index's lower(email COLLATE "C") does: ASCII
// capitals only, so that a non-ASCII local part keeping its case is
// another subscriber. And each imported row gets a token of its own.
func TestImportFoldsAsTheIndexAndTokensDiffer(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	res := importCSV(t, db, "weekly", "email,name\n"+
		"Ärger@example.org,A\n"+
		"ärger@example.org,B\n"+
		"ÄRGER@Example.ORG,C\n")
	if res.Imported != 2 || res.Created != 2 || res.Skipped != 1 || len(res.Errors) != 0 {
		t.Fatalf("result %+v; want 2 subscribers (Ä and ä differ, A-Z fold)", res)
	}
	var got []string
	rows, err := db.Pool.Query(ctx, `SELECT email || ' ' || name FROM subscribers ORDER BY email COLLATE "C"`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	if want := []string{"ÄRGER@example.org C", "ärger@example.org B"}; !slices.Equal(got, want) {
		t.Fatalf("subscribers %q, want %q", got, want)
	}
	// A later import in other ASCII cases matches both, creating nothing.
	res = importCSV(t, db, "weekly", "email,name\närGER@example.org,B2\nÄrger@EXAMPLE.org,C2\n")
	if res.Imported != 2 || res.Created != 0 {
		t.Fatalf("re-import in other cases: %+v", res)
	}

	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 3_000 {
		fmt.Fprintf(&b, "t%d@example.org,T\n", i)
	}
	importCSV(t, db, "weekly", b.String())
	var n, distinct, randomParts int
	err = db.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT token), count(DISTINCT substr(token, 13)) FROM subscribers`).Scan(&n, &distinct, &randomParts)
	if err != nil || n != 3_002 || distinct != n || randomParts != n {
		t.Fatalf("%d subscribers, %d distinct tokens, %d distinct random parts (%v)", n, distinct, randomParts, err)
	}
}
