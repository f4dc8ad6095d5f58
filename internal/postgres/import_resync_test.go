package postgres_test

import (
	"context"
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
