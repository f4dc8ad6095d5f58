package delivery

import (
	"context"
	"fmt"
	"time"
)

// worker owns one SMTP connection and sends one message per Send, so
// go-mail's deadline is refreshed each time (research §1.1).
type worker struct {
	p        *Pool
	conn     Conn
	sent     int               // messages on this connection
	dialWait time.Duration     // back-off after a failed dial
	marks    []<-chan struct{} // marks not yet committed, oldest first
}

// settle waits until at most n marks are outstanding.
func (w *worker) settle(n int) {
	for len(w.marks) > n {
		<-w.marks[0]
		w.marks = w.marks[1:]
	}
}

// run sends jobs until the channel closes; it returns the ids it did not
// send (shutdown) for release.
func (w *worker) run(ctx context.Context, jobs <-chan Job) (unsent []int64) {
	defer w.hangUp()
	defer w.settle(0) // every 250 of this worker is committed before it stops
	for job := range jobs {
		if ctx.Err() != nil {
			unsent = append(unsent, job.ID)
			continue
		}
		if w.p.limiter != nil && w.p.limiter.Wait(ctx) != nil {
			unsent = append(unsent, job.ID)
			continue
		}
		if !w.deliver(ctx, job) {
			unsent = append(unsent, job.ID)
		}
	}
	return unsent
}

// deliver sends job and records the outcome. It returns false when the job
// was not attempted and must be released.
func (w *worker) deliver(ctx context.Context, job Job) bool {
	p := w.p
	iss, err := p.issues.get(ctx, p.Store, p.Transport, p.cfg, job.IssueID)
	if err != nil {
		p.Log.Error("deliver", "delivery", job.ID, "err", err)
		return false
	}
	if job.Rescued && job.Attempts > p.cfg.MaxAttempts {
		// Its sender died on each of its attempts: most likely the message
		// itself kills it.
		p.recordFailure(Failure{ID: job.ID, SubscriberID: job.SubscriberID, Final: true,
			Reply: "not sent: the lease expired on the last attempt"}, job.IssueID, retry)
		return true
	}
	if !job.Active {
		p.recordFailure(Failure{ID: job.ID, SubscriberID: job.SubscriberID, Final: true,
			Reply: "not sent: subscriber is no longer active"}, job.IssueID, retry)
		return true
	}
	if w.conn == nil && !w.dial(ctx) {
		return false
	}
	r := iss.recipient(p.cfg, job.ID, subscriber{job.Email, job.Name, job.Token}, time.Now())
	w.settle(p.cfg.MarkWindow)
	start := time.Now()
	reply, err := w.conn.Send(iss.wire, r)
	p.Metrics.observeSend(time.Since(start), err)
	if err == nil {
		w.marks = append(w.marks, p.marker.mark(Sent{ID: job.ID, SubscriberID: job.SubscriberID, Reply: reply}))
		if w.sent++; w.sent >= p.cfg.RecycleAfter {
			w.hangUp() // receivers cap messages per connection
		}
		return true
	}
	f, v := p.cfg.failure(job, err, time.Now())
	if v == retry && (f.Code == 0 || f.Code == 421) {
		// A transport failure leaves the connection in an unknown state,
		// and a 421 means the server is closing it (RFC 5321 §3.8): redial
		// rather than fail the next message on a dead connection.
		w.hangUp()
	}
	p.recordFailure(f, job.IssueID, v)
	return true
}

// dial opens the connection, backing off while the server is unreachable.
// A failed dial is not an attempt of the delivery.
func (w *worker) dial(ctx context.Context) bool {
	conn, err := w.p.Transport.Dial(ctx)
	if err == nil {
		w.conn, w.sent, w.dialWait = conn, 0, 0
		return true
	}
	w.dialWait = min(max(2*w.dialWait, 100*time.Millisecond), 30*time.Second)
	w.p.Log.Warn("smtp dial failed", "err", err, "retry_in", w.dialWait)
	w.p.Metrics.dialFailed()
	t := time.NewTimer(w.dialWait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return false
}

func (w *worker) hangUp() {
	if w.conn != nil {
		_ = w.conn.Close()
		w.conn = nil
	}
}

// recordFailure stores f and updates the alarms.
func (p *Pool) recordFailure(f Failure, issueID int64, v verdict) {
	p.persist(func(ctx context.Context) error { return p.Store.MarkFailure(ctx, f, p.cfg.BounceAfter) }, "record failure")
	p.Metrics.failure(f, v)
	if f.Final {
		p.Log.Info("delivery failed", "delivery", f.ID, "code", f.Code, "reply", f.Reply)
	} else {
		p.Log.Debug("delivery will be retried", "delivery", f.ID, "code", f.Code, "reply", f.Reply, "at", f.Next)
	}
	if v != policy {
		return
	}
	p.Log.Warn("sender-configuration alarm: policy rejection (check SPF, DKIM, DMARC and the relay's rules)",
		"issue", issueID, "code", f.Code, "reply", f.Reply)
	p.persist(func(ctx context.Context) error {
		paused, err := p.Store.RecordPolicyRejection(ctx, issueID, f.Reply, p.cfg.PauseAfter)
		if paused {
			p.Log.Error(fmt.Sprintf("issue paused after %d policy rejections; fix the sender, then send it again", p.cfg.PauseAfter), "issue", issueID)
		}
		return err
	}, "record policy rejection")
}
