package delivery

import "context"

// marker records 250s. Each worker waits until its delivery is committed as
// sent before it sends the next message, so a crash re-sends at most one
// message per connection; the marker groups the workers' rows that arrive
// while a commit is running into the next one, which keeps the database
// cost per message small.
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

// mark records s and returns once it is committed.
func (m *marker) mark(s Sent) {
	done := make(chan struct{})
	m.in <- markReq{s, done}
	<-done
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
