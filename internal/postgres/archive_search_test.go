package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// TestArchiveSearchIndexAgreesWithSQL holds the in-process search to the
// all-SQL one (websearch_to_tsquery, ts_rank, ts_headline with
// HighlightAll) on a varied archive: the same hits in the same order, the
// same totals, ranks, anchors, titles and marked snippets.
func TestArchiveSearchIndexAgreesWithSQL(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	f := archiveFixture{t, db}
	nl := f.newsletter("weekly", true)
	seedVariedArchive(f, nl, 30)
	queries := []string{"budget", "budgets", "Council", "street lights", `"street lights"`, `"the park"`,
		"park or river", "park -river", "festival -the", "cycling lanes or museum", `"bus lane" or choir`,
		"solar energy water", "xylophone", "the", "-park", "lastly"}
	for _, q := range queries {
		for _, page := range []int{0, 10} {
			got, err := db.ArchiveSearch(ctx, nl, q, 10, page)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			want, err := db.ArchiveSearchSQL(ctx, nl, q, 10, page)
			if err != nil {
				t.Fatalf("%q in SQL: %v", q, err)
			}
			if len(want.Hits) == 0 && page == 0 && q != "xylophone" && q != "the" && q != "lastly" {
				t.Errorf("%q finds nothing in SQL: the corpus does not test it", q)
			}
			sameHits(t, q, page, got, want)
		}
	}
}

// seedVariedArchive stores issues sent issues of 6 items each in the
// newsletter: random sentences over a town's words (with plurals and
// stems), fillers and stop words, markdown in one item of each, the last
// a closing item. The same words every call.
func seedVariedArchive(f archiveFixture, nl int64, issues int) {
	f.t.Helper()
	words := strings.Fields(`budget budgets budgeting council councils park parks library libraries
		school bus cycling cyclist lane lanes market festival festivals volunteers housing river bridge
		garden gardens concert museum clinic repairs repaired street streets lights lighting crossing
		playground elections consultation recycling water energy solar trees youth club sports choir`)
	filler := strings.Fields("the a of and in on for with to is was new old our your")
	rng := rand.New(rand.NewPCG(7, 9))
	sentence := func(n int) string {
		w := make([]string, n)
		for i := range w {
			if rng.IntN(3) == 0 {
				w[i] = filler[rng.IntN(len(filler))]
			} else {
				w[i] = words[rng.IntN(len(words))]
			}
		}
		w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
		return strings.Join(w, " ") + "."
	}
	for n := 1; n <= issues; n++ {
		id := f.issue(nl, n, bulletin.IssueSent, day("2026-01-06T09:00:00Z").AddDate(0, 0, 7*n))
		for pos := 1; pos <= 6; pos++ {
			body := sentence(8) + " " + sentence(12) + "\n\n" + sentence(10)
			if pos == 2 {
				body = "## " + sentence(3) + "\n> **" + sentence(6) + "** see [the " + words[rng.IntN(len(words))] + " map](https://example.org/m) and `code`."
			}
			_, err := f.db.Pool.Exec(context.Background(), `INSERT INTO items (newsletter_id, issue_id, issue_position, title, body, source, status, closing)
				VALUES ($1, $2, $3, $4, $5, $6, 'approved', $7)`, nl, id, pos, sentence(4), body, "By "+sentence(2), pos == 6)
			if err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

// TestArchiveSearchSeesChangesAtOnce: two stores on one database stand for
// two serve processes. Each has built its index; a newly sent issue, a
// corrected body and a cancelled issue show in both at the next search,
// with no notification or poll in between.
func TestArchiveSearchSeesChangesAtOnce(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewURL(t)
	ctx := context.Background()
	var procs [2]*postgres.DB
	for i := range procs {
		db, err := postgres.Open(ctx, dsn, 2)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		procs[i] = db
	}
	f := archiveFixture{t, procs[0]}
	nl := f.newsletter("weekly", true)
	f.issue(nl, 1, bulletin.IssueSent, day("2026-11-04T09:00:00Z"), "Budget vote", "Library hours")
	find := func(q string, want int) {
		t.Helper()
		for i, db := range procs {
			res, err := db.ArchiveSearch(ctx, nl, q, 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != want {
				t.Errorf("process %d: %q has %d hits, want %d", i+1, q, res.Total, want)
			}
		}
	}
	find("budget", 1)
	find("fountain", 0)

	issue := f.issue(nl, 2, bulletin.IssueSent, day("2026-11-11T09:00:00Z"), "Fountain restored")
	find("fountain", 1)

	_, err := procs[1].Pool.Exec(ctx, `UPDATE items SET body = 'The fountain and the budget.' WHERE title = 'Library hours'`)
	if err != nil {
		t.Fatal(err)
	}
	find("budget", 2)
	find("fountain", 2)

	_, err = procs[0].Pool.Exec(ctx, `UPDATE issues SET status = 'cancelled' WHERE id = $1`, issue)
	if err != nil {
		t.Fatal(err)
	}
	find("fountain", 1)

	// Searches racing a change and the rebuilds it causes (run with -race).
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			var err error
			for i := 0; i < 20 && err == nil; i++ {
				_, err = procs[g%2].ArchiveSearch(ctx, nl, "fountain or budget", 10, 0)
			}
			errs <- err
		}()
	}
	f.issue(nl, 3, bulletin.IssueSent, day("2026-11-18T09:00:00Z"), "Fountain lights")
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	find("fountain", 2)
}

// TestArchiveSearchRanking: a title match outranks a body match, which
// outranks a source match; more occurrences rank higher; ties keep the
// newest issue first; hits link to the item's place in its issue.
func TestArchiveSearchRanking(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	f := archiveFixture{t, db}
	nl := f.newsletter("weekly", true)
	one := f.issue(nl, 1, bulletin.IssueSent, day("2026-11-04T09:00:00Z"), "Park news", "Market day", "Orchard")
	two := f.issue(nl, 2, bulletin.IssueSent, day("2026-11-11T09:00:00Z"), "Bridge repairs", "Orchard again")
	for _, u := range []struct {
		issue       int64
		title, body string
		source      string
	}{
		{one, "Market day", "Stalls and a concert by the river.", "By Ann"},
		{one, "Orchard", "Apples this year.", "From the concert hall"},
		{two, "Orchard again", "A concert, then a concert, then another concert.", "By Bo"},
		{two, "Bridge repairs", "Closed until spring; the concert moves.", "By Cy"},
	} {
		_, err := db.Pool.Exec(ctx, `UPDATE items SET body = $1, source = $2 WHERE issue_id = $3 AND title = $4`, u.body, u.source, u.issue, u.title)
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.Pool.Exec(ctx, `UPDATE items SET title = 'Concert tickets' WHERE issue_id = $1 AND title = 'Park news'`, one)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.ArchiveSearch(ctx, nl, "concert", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, fmt.Sprintf("%d#%d", h.Number, h.Ordinal))
	}
	// Title (issue 1, item 1); the body with three mentions (2#2); the two
	// single body mentions, newest issue first (2#1, 1#2); the source (1#3).
	want := "1#1 2#2 2#1 1#2 1#3"
	if strings.Join(got, " ") != want || res.Total != 5 {
		t.Errorf("concert ranks %v (total %d), want %s", got, res.Total, want)
	}
	if !strings.Contains(res.Hits[0].Title, bulletin.SnippetStart+"Concert"+bulletin.SnippetStop) {
		t.Errorf("title match not marked: %q", res.Hits[0].Title)
	}
	// A count alone, and a page past the end.
	for _, c := range []struct{ limit, offset int }{{0, 0}, {10, 5}, {10, 50}} {
		res, err := db.ArchiveSearch(ctx, nl, "concert", c.limit, c.offset)
		if err != nil || res.Total != 5 || len(res.Hits) != 0 {
			t.Errorf("limit %d offset %d: %+v, %v; want 5 hits counted, none shown", c.limit, c.offset, res, err)
		}
	}
}
