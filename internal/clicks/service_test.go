package clicks

import (
	"context"
	"errors"
	"testing"
	"time"
)

type storeFunc func(context.Context, time.Time, []Count) error

func (f storeFunc) AddCounts(ctx context.Context, day time.Time, c []Count) error {
	return f(ctx, day, c)
}

// A failed flush keeps its counts for the next one; the end of Run's
// context flushes what is left.
func TestFlusherKeepsCountsOnFailureAndFlushesAtTheEnd(t *testing.T) {
	var c Counter
	var stored int64
	fail := true
	f := &Flusher{Counter: &c, Every: time.Hour, Store: storeFunc(func(_ context.Context, _ time.Time, counts []Count) error {
		if fail {
			return errors.New("database down")
		}
		for _, x := range counts {
			stored += x.N
		}
		return nil
	})}
	c.Add(Key{1, 1}, 3)
	if err := f.Flush(context.Background()); err == nil {
		t.Fatal("flush to a failing store reported no error")
	}
	fail = false
	c.Add(Key{1, 2}, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if stored != 5 {
		t.Errorf("stored %d after the last flush, want 5", stored)
	}
}
