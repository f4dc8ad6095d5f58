package delivery

import (
	"context"
	"sync"
	"time"
)

// DefaultLease is how long a claim holds its rows without renewal. The
// pool renews its claims every quarter of it while it lives, so the rows
// of a sender that was killed go back to the queue within this time.
const DefaultLease = 20 * time.Second

// leases are the rows this pool has claimed and not yet finished with.
type leases struct {
	mu  sync.Mutex
	ids map[int64]struct{}
}

func (l *leases) add(js []Job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids == nil {
		l.ids = map[int64]struct{}{}
	}
	for _, j := range js {
		l.ids[j.ID] = struct{}{}
	}
}

func (l *leases) done(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.ids, id)
}

// held reports whether the row is still ours: a renewal can find that its
// lease ran out (the database was unreachable for longer than the lease),
// and then another sender may have claimed it.
func (l *leases) held(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.ids[id]
	return ok
}

func (l *leases) list() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := make([]int64, 0, len(l.ids))
	for id := range l.ids {
		ids = append(ids, id)
	}
	return ids
}

// keep forgets the rows of ids that renewed does not hold.
func (l *leases) keep(ids, renewed []int64) int {
	ok := make(map[int64]bool, len(renewed))
	for _, id := range renewed {
		ok[id] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lost := 0
	for _, id := range ids {
		if _, claimed := l.ids[id]; claimed && !ok[id] {
			delete(l.ids, id)
			lost++
		}
	}
	return lost
}

// renew extends the lease of every row the pool holds, every quarter of
// the lease, until ctx is done.
func (p *Pool) renew(ctx context.Context) {
	t := time.NewTicker(p.cfg.Lease / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids := p.leases.list()
		if len(ids) == 0 {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, p.cfg.Lease/4)
		renewed, err := p.Store.RenewDeliveries(rctx, ids, p.cfg.Lease)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				p.Log.Warn("renew delivery leases", "err", err)
			}
			continue
		}
		if lost := p.leases.keep(ids, renewed); lost > 0 {
			p.Log.Warn("delivery leases ran out before renewal; those rows are left to other claims", "count", lost)
		}
	}
}
