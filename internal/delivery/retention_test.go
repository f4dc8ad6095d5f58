package delivery

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

type retentionFunc func(ctx context.Context, retention time.Duration) (int, int64, error)

func (f retentionFunc) DropOldDeliveries(ctx context.Context, retention time.Duration) (int, int64, error) {
	return f(ctx, retention)
}

// Run drops at once with the configured retention, goes on after a
// failed round, and returns when its context ends.
func TestRetentionRun(t *testing.T) {
	calls := make(chan time.Duration, 4)
	n := 0
	store := retentionFunc(func(_ context.Context, r time.Duration) (int, int64, error) {
		n++
		select {
		case calls <- r:
		default: // rounds after the two the test reads
		}
		if n == 1 {
			return 0, 0, errors.New("database away")
		}
		return 1, 10, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	r := &Retention{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Retention: 40 * 24 * time.Hour, Every: time.Millisecond}
	go func() { done <- r.Run(ctx) }()
	for range 2 {
		if got := <-calls; got != 40*24*time.Hour {
			t.Errorf("retention %v, want 40 days", got)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v after its context ended, want nil", err)
	}
}
