package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/jackc/pgx/v5"
)

// seedSizedArchive stores issues sent issues of perIssue items in a new
// newsletter: titles of 6 words, bodies of 80, sources of 2, drawn with
// Zipf frequencies from 3,000 made-up words and some town words, as the
// web benchmarks' archive is (the same words every call).
func seedSizedArchive(tb testing.TB, db *postgres.DB, slug string, issues, perIssue int) int64 {
	tb.Helper()
	ctx := context.Background()
	syll := strings.Fields("ba de fi go hu ka le mo nu pa re si to vu wa xe yo za ri lo")
	vocab := make([]string, 3000)
	for i := range vocab {
		vocab[i] = syll[i%20] + syll[i/20%20] + syll[i/400%20] + "r"
	}
	for i, w := range strings.Fields("budget council park library school bus cycling market festival river bridge garden") {
		vocab[50+i*20] = w
	}
	rng := rand.New(rand.NewPCG(3, 5))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	sentence := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[zipf.Uint64()]
		}
		return strings.Join(w, " ")
	}
	var nl int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO newsletters (slug, name, is_default) VALUES ($1, $1, false) RETURNING id`, slug).Scan(&nl); err != nil {
			return err
		}
		start := time.Date(2007, 1, 2, 9, 0, 0, 0, time.UTC)
		for n := 1; n <= issues; n++ {
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status, subject, html, sent_at)
				VALUES ($1, $2, 'sent', $3, '<p>issue</p>', $4) RETURNING id`, nl, n, fmt.Sprintf("Update %d", n), start.AddDate(0, 0, 7*n)).Scan(&id)
			if err != nil {
				return err
			}
			titles, bodies, sources := make([]string, perIssue), make([]string, perIssue), make([]string, perIssue)
			for i := range titles {
				titles[i], bodies[i], sources[i] = sentence(6), sentence(80), "By "+sentence(2)
			}
			_, err = tx.Exec(ctx, `INSERT INTO items (newsletter_id, issue_id, issue_position, title, body, source, status)
				SELECT $1, $2, p, t, b, s, 'approved' FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(t, b, s, p)`,
				nl, id, titles, bodies, sources)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return nl
}

// indexHeap builds the newsletter's index and returns how much the live
// heap grew with it held (after a collection), its estimate and the time
// the build took.
func indexHeap(tb testing.TB, db *postgres.DB, nl int64) (heap, estimate int64, build time.Duration) {
	tb.Helper()
	ctx := context.Background()
	if _, _, err := db.BuildSearchIndex(ctx, nl); err != nil { // warm the pool and its statement cache
		tb.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix, estimate, err := db.BuildSearchIndex(ctx, nl)
	if err != nil {
		tb.Fatal(err)
	}
	build = time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ix)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc), estimate, build
}

// TestSearchIndexEstimate holds the estimate of an index of 200 issues of
// 12 items to the growth of the live heap with it held. Not parallel: the
// heap is measured while no other test of the package runs.
func TestSearchIndexEstimate(t *testing.T) {
	db := pgtest.New(t)
	nl := seedSizedArchive(t, db, "sized", 200, 12)
	heap, estimate, _ := indexHeap(t, db, nl)
	t.Logf("index of 200 issues of 12 items: heap +%d bytes, estimate %d (%+.1f%%)", heap, estimate, 100*float64(estimate-heap)/float64(heap))
	if estimate < heap*85/100 || estimate > heap*115/100 {
		t.Errorf("estimate %d bytes, heap grew %d: more than 15%% apart", estimate, heap)
	}
}

// BenchmarkSearchIndexHeap reports the heap of the index of 1,000 issues
// of 12 items (BULLETIN_BENCH_ISSUES to change) beside its estimate, and
// the time of one build (ns/op is two builds and two collections).
func BenchmarkSearchIndexHeap(b *testing.B) {
	issues := 1000
	if s := os.Getenv("BULLETIN_BENCH_ISSUES"); s != "" {
		if _, err := fmt.Sscan(s, &issues); err != nil {
			b.Fatalf("BULLETIN_BENCH_ISSUES: %v", err)
		}
	}
	db := pgtest.New(b)
	nl := seedSizedArchive(b, db, "sized", issues, 12)
	var heap, estimate int64
	var build time.Duration
	for b.Loop() {
		heap, estimate, build = indexHeap(b, db, nl)
	}
	b.ReportMetric(float64(build.Milliseconds()), "build-ms")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(estimate)/(1<<20), "estimate-MB")
	b.ReportMetric(100*float64(estimate-heap)/float64(heap), "estimate-error-%")
}
