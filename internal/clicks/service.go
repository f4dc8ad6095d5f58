package clicks

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Store adds counted clicks and opens to the totals in PostgreSQL. The
// additions are upserts (clicks = clicks + n), so several processes add
// to the same rows correctly.
type Store interface {
	// AddCounts adds counts (Link > 0) to link_clicks on day and opens
	// (Link == 0) to issue_opens; counts for links or issues that no
	// longer exist are dropped.
	AddCounts(ctx context.Context, day time.Time, counts []Count) error
}

// Flusher moves a Counter's counts to the Store every Every and when its
// context ends.
type Flusher struct {
	Counter *Counter
	Store   Store
	Every   time.Duration // default 5 s
	Log     *slog.Logger
	Now     func() time.Time // default time.Now
}

// Run flushes until ctx ends, then flushes a last time.
func (f *Flusher) Run(ctx context.Context) error {
	every := f.Every
	if every <= 0 {
		every = 5 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := f.Flush(final); err != nil {
				return fmt.Errorf("last click flush: %w", err)
			}
			return nil
		case <-t.C:
			if err := f.Flush(ctx); err != nil && ctx.Err() == nil {
				f.log().Warn("click flush failed; counts kept for the next one", "err", err)
			}
		}
	}
}

// Flush stores what was counted since the last flush. On failure the
// counts go back to the counter.
func (f *Flusher) Flush(ctx context.Context) error {
	counts := f.Counter.Take()
	if len(counts) == 0 {
		return nil
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	if err := f.Store.AddCounts(ctx, now().UTC(), counts); err != nil {
		f.Counter.Return(counts)
		return err
	}
	return nil
}

func (f *Flusher) log() *slog.Logger {
	if f.Log == nil {
		return slog.Default()
	}
	return f.Log
}
