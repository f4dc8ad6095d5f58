package archivecache

import (
	"context"
	"log/slog"
	"time"
)

// Source is the database side of Watch.
type Source interface {
	// ArchiveVersion is a number that grows with every committed change
	// archive pages can show.
	ArchiveVersion(ctx context.Context) (int64, error)
	// ListenArchive calls changed after each such commit, and whenever it
	// (re)starts listening; it returns when ctx is done.
	ListenArchive(ctx context.Context, changed func()) error
}

// Watch keeps c in step with src until ctx is done: it reads the version
// when a change is announced, and every `every` in case an announcement
// was missed, and applies it to c. While the database cannot be read the
// cache keeps serving what it holds; the first successful read catches up.
func Watch(ctx context.Context, src Source, c *Cache, every time.Duration, log *slog.Logger) error {
	wake := make(chan struct{}, 1)
	listened := make(chan struct{})
	go func() {
		defer close(listened)
		_ = src.ListenArchive(ctx, func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
	}()
	defer func() { <-listened }()
	tick := time.NewTicker(every)
	defer tick.Stop()
	failing := false
	check := func() {
		v, err := src.ArchiveVersion(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			log.Warn("archive cache: cannot read the archive version; serving cached pages until it can", "err", err)
			failing = true
		case err == nil:
			if failing {
				log.Info("archive cache: archive version readable again")
			}
			failing = false
			c.Apply(v)
		}
	}
	check()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
		check()
	}
}
