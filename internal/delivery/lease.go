package delivery

import (
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultLease is how long a claim holds its rows without renewal. The
// pool renews its claims every quarter of it while it lives, so the rows
// of a sender that was killed go back to the queue within this time.
const DefaultLease = 20 * time.Second

// leases are the rows this pool has claimed and not yet finished with.
//
// A row can be claimed again by this same pool while the worker that
// attempted it has not yet called done: its failure is committed (lease
// cleared, retry due soon) before the worker records the policy alarm and
// returns. Each claim of a row is therefore counted, and done ends one of
// them; keyed by id alone, the first done would drop the second claim's
// lease too, the second job would be skipped as "no longer ours", and the
// row would stay leased to nobody until the lease ran out
// (TestPolicyRejectionsPauseTheIssue timed out on that under load).
type leases struct {
	mu  sync.Mutex
	seq uint64
	ids map[int64]*claim
}

// claim is this pool's hold on one row: how many of its claims are not
// yet done, and the generation of the newest, so a renewal answered for
// an older claim does not drop a newer one.
type claim struct {
	n     int
	gen   uint64
	issue int64
}

func (l *leases) add(js []Job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids == nil {
		l.ids = map[int64]*claim{}
	}
	for _, j := range js {
		c := l.ids[j.ID]
		if c == nil {
			c = &claim{}
			l.ids[j.ID] = c
		}
		l.seq++
		c.n, c.gen, c.issue = c.n+1, l.seq, j.IssueID
	}
}

// done ends one claim of the row.
func (l *leases) done(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.ids[id]; c != nil {
		if c.n--; c.n <= 0 {
			delete(l.ids, id)
		}
	}
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

// list is the rows held now, with the generation of each one's newest
// claim, for keep, and the issues they belong to.
func (l *leases) list() (map[int64]uint64, []int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	held := make(map[int64]uint64, len(l.ids))
	var issues []int64
	for id, c := range l.ids {
		held[id] = c.gen
		if !slices.Contains(issues, c.issue) {
			issues = append(issues, c.issue)
		}
	}
	return held, issues
}

// keep forgets the rows of listed that renewed does not hold, unless the
// row was claimed again since the list was taken.
func (l *leases) keep(listed map[int64]uint64, renewed []int64) int {
	ok := make(map[int64]bool, len(renewed))
	for _, id := range renewed {
		ok[id] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lost := 0
	for id, gen := range listed {
		if c := l.ids[id]; c != nil && c.gen == gen && !ok[id] {
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
		listed, issues := p.leases.list()
		if len(listed) == 0 {
			continue
		}
		ids := make([]int64, 0, len(listed))
		for id := range listed {
			ids = append(ids, id)
		}
		rctx, cancel := context.WithTimeout(ctx, p.cfg.Lease/4)
		renewed, err := p.Store.RenewDeliveries(rctx, issues, ids, p.cfg.Lease)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				p.Log.Warn("renew delivery leases", "err", err)
			}
			continue
		}
		if lost := p.leases.keep(listed, renewed); lost > 0 {
			p.Log.Warn("delivery leases ran out before renewal; those rows are left to other claims", "count", lost)
		}
	}
}
