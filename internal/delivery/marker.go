package delivery

import "context"

// marker records 250s as they arrive. A worker does not wait for the
// commit before its next message, but it never has more than
// Config.MarkWindow marks outstanding, so a crash re-sends at most
// MarkWindow+1 messages per connection (the one on the wire and those whose
// 250 is not yet committed). The marker groups the rows that arrive while a
// commit runs into the next one, which keeps the database cost per message
// small and hides the commit's latency behind the next send.
type marker struct {
	p  *Pool
	in chan markReq
}

type markReq struct {
	s    Sent
	done chan struct{}
}

func newMarker(p *Pool) *marker {
	return &marker{p: p, in: make(chan markReq, 4*p.cfg.Conns)}
}

// mark queues s; the returned channel is closed once it is committed.
func (m *marker) mark(s Sent) <-chan struct{} {
	done := make(chan struct{})
	m.in <- markReq{s, done}
	return done
}

// close is called once every worker has stopped.
func (m *marker) close() { close(m.in) }

func (m *marker) run() {
	for req := range m.in {
		batch := []markReq{req}
	more:
		for len(batch) < 1000 {
			select {
			case r, ok := <-m.in:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		sent := make([]Sent, len(batch))
		for i, r := range batch {
			sent[i] = r.s
		}
		m.p.persist(func(ctx context.Context) error { return m.p.Store.MarkSent(ctx, sent) }, "mark sent")
		m.p.Metrics.sent(len(sent))
		for _, r := range batch {
			close(r.done)
		}
	}
}
