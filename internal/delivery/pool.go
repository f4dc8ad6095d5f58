package delivery

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pool is the sender role: it claims deliveries and sends them over
// Config.Conns long-lived SMTP connections until its context ends; then
// in-flight messages finish, are recorded, and unsent claims are released.
type Pool struct {
	Config    Config
	Store     Store
	Transport Transport
	Metrics   *Metrics // may be nil
	Log       *slog.Logger

	cfg     Config
	limiter *rate.Limiter
	issues  issueCache
	marker  *marker
	leases  leases
	wake    chan struct{}
	done    chan struct{} // a mark was committed: an issue may have nothing left
	once    sync.Once
}

func (p *Pool) init() {
	p.once.Do(func() {
		p.cfg = p.Config.withDefaults()
		if p.cfg.Rate > 0 {
			// One limiter for the whole process: BULLETIN_SEND_RATE is per
			// process, not per connection.
			p.limiter = rate.NewLimiter(rate.Limit(p.cfg.Rate), 1)
		}
		p.wake = make(chan struct{}, 1)
		p.done = make(chan struct{}, 1)
		if p.Log == nil {
			p.Log = slog.New(slog.DiscardHandler)
		}
	})
}

// Wake tells an idle claimer that work may be waiting (a fan-out in this
// process), so the first message does not wait for the next poll.
func (p *Pool) Wake() {
	p.init()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// markedSome tells the finisher that deliveries were recorded as sent or
// failed for good, so the issue they belong to may be finished: it becomes
// "sent" at once rather than at the next poll.
func (p *Pool) markedSome() {
	select {
	case p.done <- struct{}{}:
	default:
	}
}

// Run sends until ctx is done. It returns nil after a clean drain.
func (p *Pool) Run(ctx context.Context) error {
	p.init()
	jobs := make(chan Job, p.cfg.Batch)
	p.marker = newMarker(p)
	markerDone := make(chan struct{})
	go func() { p.marker.run(); close(markerDone) }()

	var bg sync.WaitGroup
	bgs := []func(context.Context){p.finish, p.startDue, p.renew}
	if n, ok := p.Store.(Notifier); ok {
		bgs = append(bgs, func(ctx context.Context) { _ = n.ListenDeliveries(ctx, p.Wake) })
	}
	for _, f := range bgs {
		bg.Add(1)
		go func() { defer bg.Done(); f(ctx) }()
	}
	var workers sync.WaitGroup
	released := make(chan []int64, p.cfg.Conns+1)
	for range p.cfg.Conns {
		workers.Add(1)
		go func() {
			defer workers.Done()
			w := &worker{p: p}
			released <- w.run(ctx, jobs)
		}()
	}
	p.claim(ctx, jobs) // returns when ctx is done, after closing jobs
	workers.Wait()
	close(released)
	p.marker.close()
	<-markerDone
	var ids []int64
	for r := range released {
		ids = append(ids, r...)
	}
	p.release(ids)
	bg.Wait()
	p.Log.Info("sender stopped", "released", len(ids), "sent_commits", p.marker.commits, "sent_rows", p.marker.rows)
	return nil
}

// claim feeds jobs until ctx is done, then closes it. Claims that could
// not be handed over are released.
func (p *Pool) claim(ctx context.Context, jobs chan<- Job) {
	defer close(jobs)
	for ctx.Err() == nil {
		// Not cancelled by shutdown: a claim cut off mid-query may have
		// committed with its answer lost, leaving rows leased to nobody.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		batch, err := p.Store.ClaimDeliveries(cctx, p.cfg.Batch, p.cfg.Lease)
		cancel()
		if err != nil {
			p.Log.Warn("claim deliveries", "err", err)
		}
		p.leases.add(batch)
		if n := countRescued(batch); n > 0 {
			p.Log.Info("took over deliveries whose lease expired (their sender died or stalled)", "count", n)
			p.Metrics.rescued(n)
		}
		for i, j := range batch {
			select {
			case jobs <- j:
			case <-ctx.Done():
				p.release(jobIDs(batch[i:]))
				return
			}
		}
		if len(batch) == 0 {
			p.idle(ctx)
		}
	}
}

// idle waits for a wake-up or the next poll.
func (p *Pool) idle(ctx context.Context) {
	t := time.NewTimer(p.cfg.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-p.wake:
	case <-t.C:
	}
}

// release returns unsent claims to pending; it runs during shutdown, so it
// does not use the cancelled context.
func (p *Pool) release(ids []int64) {
	if len(ids) == 0 {
		return
	}
	p.persist(func(ctx context.Context) error { return p.Store.ReleaseDeliveries(ctx, ids) }, "release deliveries")
}

// persist runs a write that must not be lost (a 250 already happened, or a
// claim must go back) until it succeeds or the lease would have expired:
// PostgreSQL may be restarting.
func (p *Pool) persist(f func(context.Context) error, what string) {
	deadline := time.Now().Add(p.cfg.Lease)
	wait := 50 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			p.Log.Error(what+": giving up; the rows go back to the queue when their lease expires", "err", err)
			return
		}
		p.Log.Warn(what+": will retry", "err", err)
		time.Sleep(wait) // back-off between attempts, not synchronisation
		wait = min(wait*2, 2*time.Second)
	}
}

func countRescued(js []Job) int {
	n := 0
	for _, j := range js {
		if j.Rescued {
			n++
		}
	}
	return n
}

func jobIDs(js []Job) []int64 {
	ids := make([]int64, len(js))
	for i, j := range js {
		ids[i] = j.ID
	}
	return ids
}
