package delivery

import (
	"context"
	"log/slog"
	"sync"
)

// FanOutStore is what FanOuts needs of the store.
type FanOutStore interface {
	FanOut(ctx context.Context, issueID int64) (int64, error)
}

// FanOuts finishes started issues' fan-outs in the background, so that a
// send from the API or the admin UI answers once the issue is sending and
// its first chunk is out, not after every delivery row exists (4.5 s at a
// million recipients). The database holds the fan-out's position: should
// this process stop mid-way, a sender continues it (resumeFanOuts), and
// nothing is created twice.
type FanOuts struct {
	Store FanOutStore
	Log   *slog.Logger
	Wake  func() // pokes a sender pool in this process after each fan-out; may be nil

	mu      sync.Mutex
	queue   chan int64
	running bool
}

// fanOutQueue is how many issues may wait for the background fan-out; a
// send finding it full fans out itself, as without FanOuts.
const fanOutQueue = 16

// Continue hands the rest of a sending issue's fan-out to Run and reports
// whether it took it: false when Run is not running (the caller then fans
// out itself).
func (f *FanOuts) Continue(issueID int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running {
		return false
	}
	select {
	case f.queue <- issueID:
		return true
	default:
		return false
	}
}

// Running reports whether Run is taking work.
func (f *FanOuts) Running() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.running
}

// Run fans out the issues handed to Continue until ctx is done. A fan-out
// cut short by the stop keeps its position; those still queued are left to
// the senders' resumption.
func (f *FanOuts) Run(ctx context.Context) error {
	f.mu.Lock()
	f.queue, f.running = make(chan int64, fanOutQueue), true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running = false
		f.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-f.queue:
			n, err := f.Store.FanOut(ctx, id)
			if err != nil {
				if ctx.Err() == nil {
					f.Log.Error("fan-out stopped; a sender continues it once it has stood still for 30 s", "issue", id, "err", err)
				}
				continue
			}
			f.Log.Info("fan-out done", "issue", id, "deliveries", n)
			if f.Wake != nil {
				f.Wake()
			}
		}
	}
}
