package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// budgetQueries are searched through a bounded store and an unbounded one
// (its index) on the same database: each answer must be the same.
var budgetQueries = []string{"budget", "budgets", "Council", "street lights", `"street lights"`,
	"park or river", "park -river", `"bus lane" or choir`, "xylophone", "the", "-park"}

// openStores opens n stores on one new database, standing for processes.
func openStores(t *testing.T, n int) []*postgres.DB {
	t.Helper()
	dsn := pgtest.NewURL(t)
	var dbs []*postgres.DB
	for range n {
		db, err := postgres.Open(context.Background(), dsn, 2)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		dbs = append(dbs, db)
	}
	return dbs
}

// logLines returns a logger writing to buf and a function counting the
// lines that hold every one of parts.
func logLines(buf *bytes.Buffer) (*slog.Logger, func(parts ...string) int) {
	return slog.New(slog.NewTextHandler(buf, nil)), func(parts ...string) int {
		n := 0
		for _, line := range strings.Split(buf.String(), "\n") {
			all := line != ""
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				n++
			}
		}
		return n
	}
}

// sameSearch runs q in both stores and holds got's answer to want's.
func sameSearch(t *testing.T, got, want *postgres.DB, nl int64, q string, page int, flat bool) {
	t.Helper()
	ctx := context.Background()
	search := func(db *postgres.DB) *bulletin.SearchResult {
		t.Helper()
		f := db.ArchiveSearch
		if flat {
			f = db.ArchiveSearchFlat
		}
		res, err := f(ctx, nl, q, 10, page)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		return res
	}
	sameHits(t, q, page, search(got), search(want))
}

// sameHits holds a search's answer to another's: the same hits in the same
// order, totals, ranks, anchors, titles and marked snippets. Past the last
// hit SQL counts no total, so only the empty pages are compared there.
func sameHits(t *testing.T, q string, page int, got, want *bulletin.SearchResult) {
	t.Helper()
	if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
		if !(len(want.Hits) == 0 && len(got.Hits) == 0 && page > 0) {
			t.Errorf("%q from %d: %d of %d hits, want %d of %d", q, page, len(got.Hits), got.Total, len(want.Hits), want.Total)
		}
		return
	}
	for i := range got.Hits {
		g, w := got.Hits[i], want.Hits[i]
		if g.ItemID != w.ItemID || g.Ordinal != w.Ordinal || g.Number != w.Number || g.Subject != w.Subject ||
			!g.SentAt.Equal(w.SentAt) || math.Abs(float64(g.Rank-w.Rank)) > 1e-6*float64(w.Rank)+1e-12 {
			t.Errorf("%q hit %d = item %d #%d issue %d rank %g; want item %d #%d issue %d rank %g",
				q, page+i, g.ItemID, g.Ordinal, g.Number, g.Rank, w.ItemID, w.Ordinal, w.Number, w.Rank)
		}
		if g.Title != w.Title || g.Snippet != w.Snippet {
			t.Errorf("%q hit %d:\n title %q\n  want %q\n snippet %q\n    want %q", q, page+i, g.Title, w.Title, g.Snippet, w.Snippet)
		}
	}
}

// TestSearchIndexBudgetEvictsLeastRecentlySearched: three newsletters,
// a budget that holds any two of their indexes. A third evicts the least
// recently searched of the others, the sum held never passes the budget,
// and every answer is the unbounded store's.
func TestSearchIndexBudgetEvictsLeastRecentlySearched(t *testing.T) {
	t.Parallel()
	dbs := openStores(t, 2)
	bounded, plain := dbs[0], dbs[1]
	f := archiveFixture{t, plain}
	names := []string{"a", "b", "c"}
	nls := map[string]int64{}
	for i, name := range names {
		nls[name] = f.newsletter(name, i == 0)
		seedVariedArchive(f, nls[name], 10+5*i)
	}
	ctx := context.Background()
	size := map[string]int64{}
	for _, name := range names {
		if _, err := plain.ArchiveSearch(ctx, nls[name], "budget", 10, 0); err != nil {
			t.Fatal(err)
		}
	}
	held, _ := plain.SearchIndexesHeld()
	for _, name := range names {
		size[name] = held[nls[name]]
		if size[name] == 0 {
			t.Fatalf("newsletter %s: no index held without a budget", name)
		}
	}
	budget := max(size["a"]+size["b"], size["a"]+size["c"], size["b"]+size["c"])
	if budget >= size["a"]+size["b"]+size["c"] {
		t.Fatalf("sizes %v: no budget holds two but not three", size)
	}
	var logged bytes.Buffer
	log, lines := logLines(&logged)
	bounded.LimitSearchIndexes(budget, log)
	for _, step := range []struct {
		search string
		held   []string
	}{
		{"a", []string{"a"}},
		{"b", []string{"a", "b"}},
		{"a", []string{"a", "b"}},
		{"c", []string{"a", "c"}}, // b is the least recently searched
		{"b", []string{"b", "c"}}, // then a
		{"c", []string{"b", "c"}},
	} {
		for _, q := range budgetQueries {
			sameSearch(t, bounded, plain, nls[step.search], q, 0, false)
		}
		held, sum := bounded.SearchIndexesHeld()
		var got []string
		var total int64
		for _, name := range names {
			if n, ok := held[nls[name]]; ok {
				got = append(got, name)
				total += n
				if n != size[name] {
					t.Errorf("%s held at %d bytes; %d without a budget", name, n, size[name])
				}
			}
		}
		if !slices.Equal(got, step.held) || total != sum || sum > budget {
			t.Errorf("after searching %s: held %v (%d bytes counted, %d summed), want %v within %d",
				step.search, got, sum, total, step.held, budget)
		}
	}
	if n := bounded.SearchIndexBuilds(); n != 4 { // a, b, c, b again; the last c is held
		t.Errorf("%d builds, want 4", n)
	}
	// Two evictions, each logged once with its newsletter: b, then a.
	for _, name := range []string{"b", "a"} {
		if n := lines("search index evicted", fmt.Sprintf("newsletter=%d ", nls[name]), fmt.Sprintf("index_bytes=%d ", size[name])); n != 1 {
			t.Errorf("%d log lines for %s's eviction, want 1:\n%s", n, name, logged.String())
		}
	}
	if n := lines("search index evicted"); n != 2 {
		t.Errorf("%d evictions logged, want 2:\n%s", n, logged.String())
	}
}

// TestSearchIndexOverBudgetSearchesInSQL: a newsletter whose index alone
// is over the budget is searched in SQL with the same answers as its
// index gives, the index is built once per archive version (not per
// search), and the smaller newsletter's index stays held.
func TestSearchIndexOverBudgetSearchesInSQL(t *testing.T) {
	t.Parallel()
	dbs := openStores(t, 2)
	bounded, plain := dbs[0], dbs[1]
	f := archiveFixture{t, plain}
	big, small := f.newsletter("big", true), f.newsletter("small", false)
	seedVariedArchive(f, big, 30)
	f.issue(small, 1, bulletin.IssueSent, day("2026-11-04T09:00:00Z"), "Budget vote", "Library hours")
	ctx := context.Background()
	for _, nl := range []int64{big, small} {
		if _, err := plain.ArchiveSearch(ctx, nl, "budget", 10, 0); err != nil {
			t.Fatal(err)
		}
	}
	sizes, _ := plain.SearchIndexesHeld()
	var logged bytes.Buffer
	log, lines := logLines(&logged)
	bounded.LimitSearchIndexes(sizes[big]/2, log)
	tooBigLogged := func() int {
		return lines("level=WARN", "over the budget alone", fmt.Sprintf("newsletter=%d ", big), fmt.Sprintf("budget_bytes=%d", sizes[big]/2))
	}
	if sizes[small] > sizes[big]/2 {
		t.Fatalf("sizes %v: the small index does not fit half the big one", sizes)
	}
	sameSearch(t, bounded, plain, small, "budget", 0, false)
	for _, q := range budgetQueries {
		for _, page := range []int{0, 10} {
			sameSearch(t, bounded, plain, big, q, page, false)
		}
		sameSearch(t, bounded, plain, big, q, 0, true)
	}
	if n := bounded.SearchIndexBuilds(); n != 2 {
		t.Errorf("%d builds for %d searches at one version, want 2 (small, big once)", n, 1+3*len(budgetQueries))
	}
	held, _ := bounded.SearchIndexesHeld()
	if !maps.Equal(held, map[int64]int64{small: sizes[small]}) {
		t.Errorf("held %v, want only the small index (%d bytes)", held, sizes[small])
	}
	if n := tooBigLogged(); n != 1 {
		t.Errorf("%d warnings for the big index at one version, want 1:\n%s", n, logged.String())
	}
	tooBig, version := bounded.SearchIndexTooBig(big)
	if tooBig != sizes[big] || version == 0 {
		t.Errorf("big index remembered at %d bytes, version %d; want %d bytes", tooBig, version, sizes[big])
	}

	// The version moves: the next search builds once more, and finds the
	// new issue in SQL.
	f.issue(big, 31, bulletin.IssueSent, day("2026-11-18T09:00:00Z"), "Xylophone recital")
	for range 3 {
		sameSearch(t, bounded, plain, big, "xylophone", 0, false)
	}
	res, err := bounded.ArchiveSearch(ctx, big, "xylophone", 10, 0)
	if err != nil || res.Total != 1 {
		t.Fatalf("new issue: %+v, %v; want 1 hit", res, err)
	}
	if n := bounded.SearchIndexBuilds(); n != 3 {
		t.Errorf("%d builds after the version moved, want 3", n)
	}
	if n := tooBigLogged(); n != 2 {
		t.Errorf("%d warnings for the big index at two versions, want 2:\n%s", n, logged.String())
	}
	if _, v := bounded.SearchIndexTooBig(big); v <= version {
		t.Errorf("too big at version %d, not past %d", v, version)
	}
}

// TestSearchIndexBudgetZero: a budget of 0 keeps no index and builds none;
// every search is SQL's, with the index's answers.
func TestSearchIndexBudgetZero(t *testing.T) {
	t.Parallel()
	dbs := openStores(t, 2)
	bounded, plain := dbs[0], dbs[1]
	bounded.LimitSearchIndexes(0, nil)
	f := archiveFixture{t, plain}
	nl := f.newsletter("weekly", true)
	seedVariedArchive(f, nl, 12)
	for _, q := range budgetQueries {
		sameSearch(t, bounded, plain, nl, q, 0, false)
		sameSearch(t, bounded, plain, nl, q, 0, true)
	}
	held, sum := bounded.SearchIndexesHeld()
	if n := bounded.SearchIndexBuilds(); n != 0 || len(held) != 0 || sum != 0 {
		t.Errorf("budget 0: %d builds, %v held (%d bytes)", n, held, sum)
	}
	if n := plain.SearchIndexBuilds(); n == 0 {
		t.Error("the unbounded store built no index: nothing was compared")
	}
}

// TestSearchIndexLimitLowered: lowering the budget below what is held
// evicts at once, least recently searched first.
func TestSearchIndexLimitLowered(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := archiveFixture{t, db}
	a, b := f.newsletter("a", true), f.newsletter("b", false)
	seedVariedArchive(f, a, 5)
	seedVariedArchive(f, b, 5)
	ctx := context.Background()
	for _, nl := range []int64{a, b} {
		if _, err := db.ArchiveSearch(ctx, nl, "park", 10, 0); err != nil {
			t.Fatal(err)
		}
	}
	held, _ := db.SearchIndexesHeld()
	var logged bytes.Buffer
	log, lines := logLines(&logged)
	db.LimitSearchIndexes(held[b], log)
	if now, sum := db.SearchIndexesHeld(); fmt.Sprint(now) != fmt.Sprint(map[int64]int64{b: held[b]}) || sum != held[b] {
		t.Errorf("after lowering to %d: %v held (%d), want only b", held[b], now, sum)
	}
	if n := lines("search index evicted", fmt.Sprintf("newsletter=%d ", a), fmt.Sprintf("held_bytes=%d ", held[b])); n != 1 {
		t.Errorf("%d log lines for a's eviction, want 1:\n%s", n, logged.String())
	}
}

// TestSearchIndexBudgetUnderConcurrentSearches: searches of three
// newsletters race each other (run with -race) under a budget that holds
// two indexes, and a new issue moves the version meanwhile; every search
// answers, and the budget holds at the end.
func TestSearchIndexBudgetUnderConcurrentSearches(t *testing.T) {
	t.Parallel()
	dbs := openStores(t, 2)
	bounded, plain := dbs[0], dbs[1]
	f := archiveFixture{t, plain}
	var nls []int64
	for i, name := range []string{"a", "b", "c"} {
		nls = append(nls, f.newsletter(name, i == 0))
		seedVariedArchive(f, nls[i], 8)
	}
	ctx := context.Background()
	if _, err := plain.ArchiveSearch(ctx, nls[0], "park", 10, 0); err != nil {
		t.Fatal(err)
	}
	held, _ := plain.SearchIndexesHeld()
	budget := 2*held[nls[0]] + held[nls[0]]/2
	bounded.LimitSearchIndexes(budget, nil)
	errs := make(chan error, 6)
	for g := range 6 {
		go func() {
			var err error
			for i := 0; i < 15 && err == nil; i++ {
				_, err = bounded.ArchiveSearch(ctx, nls[(g+i)%3], budgetQueries[i%len(budgetQueries)], 10, 0)
			}
			errs <- err
		}()
	}
	f.issue(nls[1], 9, bulletin.IssueSent, day("2026-11-18T09:00:00Z"), "Xylophone recital")
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	now, sum := bounded.SearchIndexesHeld()
	var total int64
	for _, n := range now {
		total += n
	}
	if sum > budget || total != sum || len(now) > 2 {
		t.Errorf("held %v (%d counted, %d summed) over a budget of %d", now, sum, total, budget)
	}
	for _, nl := range nls {
		sameSearch(t, bounded, plain, nl, "xylophone or park", 0, false)
	}
}
