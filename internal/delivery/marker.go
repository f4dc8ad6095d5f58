package delivery

import (
	"context"
	"time"
)

// markLinger is how long the marker may hold a 250 to commit it with
// others. Each commit costs PostgreSQL about as much CPU as a hundred rows
// of it, so commits of one or two rows would make the database, not SMTP,
// the limit on a small machine.
const markLinger = 5 * time.Millisecond

// marker records 250s as they arrive, in grouped commits. A worker does not
// wait for the commit before its next message, but it never has more than
// Config.MarkWindow marks outstanding, so a crash re-sends at most
// MarkWindow+1 messages per connection (the one on the wire and those whose
// 250 is not yet committed). The marker commits once half of all the
// workers' windows is waiting, or markLinger after the oldest mark, so no
// worker waits on a full window for long.
type marker struct {
	p    *Pool
	in   chan markReq
	need chan struct{} // a worker waits on a mark: commit what is gathered now
	fill int           // rows that make a commit worth doing at once

	commits, rows int // for the log when the pool stops
}

type markReq struct {
	s    Sent
	done chan struct{}
}

func newMarker(p *Pool) *marker {
	return &marker{p: p, in: make(chan markReq, p.cfg.Conns*(p.cfg.MarkWindow+2)+1), need: make(chan struct{}, 1),
		fill: max(1, p.cfg.Conns*p.cfg.MarkWindow/2)}
}

// mark queues s; the returned channel is closed once it is committed.
func (m *marker) mark(s Sent) <-chan struct{} {
	done := make(chan struct{})
	m.in <- markReq{s, done}
	return done
}

// hurry tells the marker that a worker is waiting for a commit, so
// gathering more marks would only keep it waiting.
func (m *marker) hurry() {
	select {
	case m.need <- struct{}{}:
	default:
	}
}

// close is called once every worker has stopped.
func (m *marker) close() { close(m.in) }

func (m *marker) run() {
	linger := time.NewTimer(0)
	for req := range m.in {
		batch := m.collect(req, linger)
		sent := make([]Sent, len(batch))
		for i, r := range batch {
			sent[i] = r.s
		}
		m.p.persist(func(ctx context.Context) error { return m.p.Store.MarkSent(ctx, sent) }, "mark sent")
		m.commits++
		m.rows += len(sent)
		m.p.Metrics.sent(len(sent))
		m.p.markedSome()
		for _, r := range batch {
			close(r.done)
		}
	}
}

// collect gathers marks after first until the batch is full, a worker
// waits, markLinger has passed, or the workers have stopped.
func (m *marker) collect(first markReq, linger *time.Timer) []markReq {
	batch := []markReq{first}
	linger.Reset(markLinger)
	defer linger.Stop()
	for len(batch) < m.fill {
		select {
		case r, ok := <-m.in:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		case <-linger.C:
			return batch
		case <-m.need:
			return m.drain(batch)
		}
	}
	return m.drain(batch)
}

// drain adds to batch whatever marks are already queued, without waiting.
func (m *marker) drain(batch []markReq) []markReq {
	for len(batch) < 1000 {
		select {
		case r, ok := <-m.in:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}
