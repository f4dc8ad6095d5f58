package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// An unclosed quote costs its own line only: the reader resynchronises at
// the next line, the four good lines after it are imported, the counts add
// up to the data lines, and progress counts every row once.
func TestImportUnclosedQuoteResyncs(t *testing.T) {
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	data := "email,name\n" + // 1
		"x,\"Open quote\n" + // 2
		"a@example.org,A\n" + // 3
		"b@example.org,B\n" + // 4
		"c@example.org,C\n" + // 5
		"d@example.org,D\n" // 6
	var progress []int
	res, err := db.ImportSubscribers(context.Background(), "weekly", strings.NewReader(data),
		bulletin.ImportOptions{Progress: func(n int) { progress = append(progress, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 4 || res.Skipped != 1 || res.Imported+res.Skipped != 5 {
		t.Fatalf("result %+v; want 4 imported + 1 skipped = 5 data lines", res)
	}
	if len(res.Errors) != 1 || res.Errors[0].Line != 2 || !strings.Contains(res.Errors[0].Error, "never closed") ||
		!strings.Contains(res.Errors[0].Error, "lines 3–6 were read again") {
		t.Fatalf("errors %+v; want line 2's unclosed quote, naming the lines read again", res.Errors)
	}
	if got := strings.Join(receivers(t, db, "weekly"), " "); got != "a@example.org b@example.org c@example.org d@example.org" {
		t.Fatalf("receivers = %q", got)
	}
	if !slices.Equal(progress, []int{5}) {
		t.Fatalf("progress = %v; want the 5 rows reported once", progress)
	}
}

// A stray quote that closes several lines later, and a well-formed
// record whose quoted name holds a line break: each bad record is
// reported with the lines it covered, and every good line is kept.
func TestImportMultiLineRecords(t *testing.T) {
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	data := "email,name\n" + // 1
		"x@example.org,\"Stray\n" + // 2: opens a quote …
		"a@example.org,A\n" + // 3
		"b@example.org,\"B\"\n" + // 4: … which this line's first quote closes: malformed
		"c@example.org,\"Two\n" + // 5: a well-formed record over lines 5–6,
		"lines\"\n" + // 6: but a name cannot hold a line break
		"\n" + // 7: blank
		"d@example.org,D\n" // 8
	res := importCSV(t, db, "weekly", data)
	if res.Imported != 3 || res.Skipped != 2 {
		t.Fatalf("result %+v; want a, b, d imported and 2 skipped", res)
	}
	if len(res.Errors) != 2 {
		t.Fatalf("errors %+v", res.Errors)
	}
	if e := res.Errors[0]; e.Line != 2 || e.EndLine != 0 || !strings.Contains(e.Error, "quote") || !strings.Contains(e.Error, "lines 3–4 were read again") {
		t.Errorf("first error %+v; want line 2's quote, lines 3–4 read again", e)
	}
	if e := res.Errors[1]; e.Line != 5 || e.EndLine != 6 || !strings.Contains(e.Error, "control character") {
		t.Errorf("second error %+v; want lines 5–6, the name's line break", e)
	}
	if got := strings.Join(receivers(t, db, "weekly"), " "); got != "a@example.org b@example.org d@example.org" {
		t.Fatalf("receivers = %q", got)
	}
}

// A large file (matched by a merge join rather than probes) keeps every
// rule: known addresses in another case are matched, keep their spelling,
// and are never re-subscribed; the new ones go in, with ids in folded order.
func TestImportLargeFileKeepsRules(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	importCSV(t, db, "weekly", "email,name,status\nLeft@example.org,Left,unsubscribed\nblk@example.org,Blk,blocklisted\nKept@example.org,Kept,active\n")
	var b strings.Builder
	b.WriteString("email,name\nLEFT@example.org,\nBLK@example.org,\nkept@example.org,Kept Again\n")
	for i := 0; i < 12_000; i++ {
		fmt.Fprintf(&b, "big%05d@example.org,Big\n", 12_000-i) // in reverse order
	}
	res := importCSV(t, db, "weekly", b.String())
	if res.Imported != 12_003 || res.Created != 12_000 || res.Skipped != 0 {
		t.Fatalf("result %+v", res)
	}
	var got string
	db.Pool.QueryRow(ctx, `SELECT string_agg(email || ' ' || name || ' ' || status, ', ' ORDER BY id) FROM subscribers WHERE email NOT LIKE 'big%'`).Scan(&got)
	if got != "blk@example.org Blk blocklisted, Kept@example.org Kept Again active, Left@example.org Left unsubscribed" {
		t.Fatalf("known subscribers after the large import: %s", got)
	}
	var ordered bool
	db.Pool.QueryRow(ctx, `SELECT bool_and(email > prev) FROM (SELECT email, lag(email) OVER (ORDER BY id) AS prev
		FROM subscribers WHERE email LIKE 'big%') x WHERE prev IS NOT NULL`).Scan(&ordered)
	if !ordered {
		t.Fatal("new subscribers' ids are not in folded order")
	}
	if n := len(receivers(t, db, "weekly")); n != 12_001 {
		t.Fatalf("%d receivers, want the 12,000 new and Kept", n)
	}
}
