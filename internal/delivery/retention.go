package delivery

import (
	"context"
	"log/slog"
	"time"
)

// RetentionStore drops the delivery rows of issues sent longer than
// retention ago, keeping their counts; see postgres.DropOldDeliveries.
type RetentionStore interface {
	DropOldDeliveries(ctx context.Context, retention time.Duration) (issues int, rows int64, err error)
}

// Retention is the service that keeps the deliveries table a year deep
// rather than ever growing (BULLETIN_DELIVERY_RETENTION).
type Retention struct {
	Store     RetentionStore
	Log       *slog.Logger
	Retention time.Duration
	Every     time.Duration // between rounds; an hour by default
}

// Run drops old deliveries at start and then every Every until ctx is
// done. Any number of processes may run it: one at a time does the work.
func (r *Retention) Run(ctx context.Context) error {
	every := r.Every
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, rows, err := r.Store.DropOldDeliveries(ctx, r.Retention)
		switch {
		case err != nil && ctx.Err() == nil:
			r.Log.Warn("drop old deliveries", "err", err)
		case n > 0:
			r.Log.Info("dropped old deliveries, counts kept", "issues", n, "rows", rows)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
