package postgres_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// stallingReader hands out its data, then blocks until ctx is done, and
// takes a while more to return (as a read on another connection does when
// its context is cancelled).
type stallingReader struct {
	ctx      context.Context
	data     *strings.Reader
	stalled  chan struct{}
	returned atomic.Bool
}

func (s *stallingReader) Read(p []byte) (int, error) {
	if s.data.Len() > 0 {
		return s.data.Read(p)
	}
	close(s.stalled)
	<-s.ctx.Done()
	time.Sleep(200 * time.Millisecond)
	s.returned.Store(true)
	return 0, s.ctx.Err()
}

// An import cancelled while its source is mid-read returns only once that
// read has returned, so the caller can close the source safely (the CI
// panic: an import job's file rolled back while pgconn's copy goroutine
// was still reading it), and it changes nothing.
func TestImportCancelledWaitsForTheReadInFlight(t *testing.T) {
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 5000 {
		b.WriteString("reader")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("@example.org,R\n")
	}
	src := &stallingReader{ctx: ctx, data: strings.NewReader(b.String()), stalled: make(chan struct{})}
	go func() { <-src.stalled; cancel() }()
	_, err := db.ImportSubscribers(ctx, "weekly", src, bulletin.ImportOptions{})
	if err == nil {
		t.Fatal("a cancelled import succeeded")
	}
	if !src.returned.Load() {
		t.Fatal("ImportSubscribers returned while its source was still being read")
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM subscribers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d subscribers after a cancelled import", n)
	}
}
