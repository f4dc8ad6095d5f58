package delivery

import (
	"context"
	"time"
)

// every runs f at once and then every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// finishGap is the least time between two finish queries while marks
// arrive: during a large send the finisher then costs one cheap query per
// finishGap, and an issue still becomes "sent" well within a second of
// its last delivery.
const finishGap = 100 * time.Millisecond

// finish moves issues with nothing left to send to "sent", and keeps the
// queue-depth gauge fresh. It runs at every poll and, sooner, after a mark
// is committed (markedSome), so the last delivery finishes its issue.
func (p *Pool) finish(ctx context.Context) {
	t := time.NewTicker(p.cfg.Poll)
	defer t.Stop()
	for {
		ids, err := p.Store.FinishIssues(ctx)
		if err != nil && ctx.Err() == nil {
			p.Log.Warn("finish issues", "err", err)
		}
		for _, id := range ids {
			p.Log.Info("issue sent", "issue", id)
		}
		p.issues.forget(ids)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.done:
			gap := time.NewTimer(finishGap) // let the marks of this burst gather
			select {
			case <-ctx.Done():
				gap.Stop()
				return
			case <-gap.C:
			}
		}
	}
}

// stalledAfter is how long an unfinished fan-out may stand still before
// another process continues it. A chunk takes well under a second; should
// two processes still work on one fan-out, they take turns, harmlessly.
const stalledAfter = 30 * time.Second

// resumeFanOuts continues fan-outs whose process died.
func (p *Pool) resumeFanOuts(ctx context.Context) {
	ids, err := p.Store.StalledFanOuts(ctx, stalledAfter)
	if err != nil && ctx.Err() == nil {
		p.Log.Warn("find stalled fan-outs", "err", err)
	}
	for _, id := range ids {
		n, err := p.Store.FanOut(ctx, id)
		if err != nil {
			if ctx.Err() == nil {
				p.Log.Error("continue fan-out", "issue", id, "err", err)
			}
			continue
		}
		p.Log.Info("continued an interrupted fan-out", "issue", id, "deliveries", n)
		p.Wake()
	}
}

// startDue fans out scheduled issues whose time has come. Several sender
// processes may do this at once: StartIssue only moves a scheduled issue.
func (p *Pool) startDue(ctx context.Context) {
	svc := &Service{Store: p.Store, Transport: p.Transport, Config: p.Config, Log: p.Log, Wake: p.Wake}
	logged := map[int64]bool{} // an issue that cannot start is reported once, not every poll
	every(ctx, p.cfg.Poll, func(ctx context.Context) {
		ids, err := p.Store.DueIssues(ctx, 10)
		if err != nil && ctx.Err() == nil {
			p.Log.Warn("find due issues", "err", err)
		}
		for _, id := range ids {
			if _, err := svc.start(ctx, id, scheduledOnly); err != nil && ctx.Err() == nil && !logged[id] {
				logged[id] = true
				p.Log.Error("start scheduled issue", "issue", id, "err", err)
			}
		}
		p.resumeFanOuts(ctx)
	})
}
