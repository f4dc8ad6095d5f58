package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// worker owns one SMTP connection and sends one message per Send, so
// go-mail's deadline is refreshed each time (research §1.1).
type worker struct {
	p        *Pool
	conn     Conn
	used     time.Time         // when conn last finished a send (or was dialled)
	sent     int               // messages on this connection
	dialWait time.Duration     // back-off after a failed dial
	marks    []<-chan struct{} // marks not yet committed, oldest first
}

// settle waits until at most n marks are outstanding.
func (w *worker) settle(n int) {
	for len(w.marks) > n {
		select {
		case <-w.marks[0]:
		default:
			w.p.marker.hurry()
			<-w.marks[0]
		}
		w.marks = w.marks[1:]
	}
}

// run sends jobs until the channel closes; it returns the ids it did not
// send (shutdown) for release.
func (w *worker) run(ctx context.Context, jobs <-chan Job) (unsent []int64) {
	defer w.hangUp()
	defer w.settle(0) // every 250 of this worker is committed before it stops
	for {
		job, ok := w.next(jobs)
		if !ok {
			return unsent
		}
		if !w.take(ctx, job) {
			unsent = append(unsent, job.ID)
		}
		w.p.leases.done(job.ID)
	}
}

// take delivers job unless the pool is stopping; it returns false when
// the job was not attempted and must be released.
func (w *worker) take(ctx context.Context, job Job) bool {
	if ctx.Err() != nil {
		return false
	}
	if w.p.limiter != nil && w.p.limiter.Wait(ctx) != nil {
		return false
	}
	if !w.p.leases.held(job.ID) {
		return true // the lease ran out: the row is another claim's now
	}
	return w.deliver(ctx, job)
}

// next takes the next job. While it waits, the connection is closed once
// it has been idle for Config.IdleClose, before the server drops it.
func (w *worker) next(jobs <-chan Job) (Job, bool) {
	select {
	case job, ok := <-jobs:
		return job, ok
	default:
	}
	if w.conn == nil || w.p.cfg.IdleClose < 0 {
		job, ok := <-jobs
		return job, ok
	}
	t := time.NewTimer(max(w.p.cfg.IdleClose-time.Since(w.used), 0))
	defer t.Stop()
	select {
	case job, ok := <-jobs:
		return job, ok
	case <-t.C:
		w.hangUp()
	}
	job, ok := <-jobs
	return job, ok
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
		p.recordFailure(Failure{ID: job.ID, IssueID: job.IssueID, SubscriberID: job.SubscriberID, Final: true,
			Reply: "not sent: the lease expired on the last attempt"}, job.IssueID, retry)
		return true
	}
	if !job.Active {
		p.recordFailure(Failure{ID: job.ID, IssueID: job.IssueID, SubscriberID: job.SubscriberID, Final: true,
			Reply: "not sent: subscriber is no longer active"}, job.IssueID, retry)
		return true
	}
	if w.conn != nil && p.cfg.IdleClose > 0 && time.Since(w.used) > p.cfg.IdleClose {
		w.hangUp() // idle too long: the server may have dropped it
	}
	dialled := w.conn == nil
	if dialled && !w.dial(ctx) {
		return false
	}
	r := iss.recipient(p.cfg, job.ID, subscriber{job.Email, job.Name, job.Token}, time.Now())
	// At most MarkWindow of this connection's 250s await their commit when
	// a message's data ends, so a crash re-sends at most MarkWindow+1 per
	// connection; the commits overlap the sending of the next message.
	r.BeforeEnd = w.settleWindow
	reply, err := w.send(iss, r)
	if err != nil && !dialled && failedBeforeMessage(err) {
		// A connection kept from before died while idle (the server timed
		// it out): its failure, not the delivery's. Send at once on a new
		// connection without counting an attempt; should that one fail
		// too, the server is the trouble and the attempt counts.
		p.Metrics.staleConn()
		p.Log.Info("smtp connection found dead; sending on a new one", "delivery", job.ID, "err", err)
		w.hangUp()
		if !w.dial(ctx) {
			return false
		}
		reply, err = w.send(iss, r)
	}
	if err == nil {
		w.marks = append(w.marks, p.marker.mark(Sent{ID: job.ID, IssueID: job.IssueID, SubscriberID: job.SubscriberID, Reply: reply}))
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

// send sends one message on the worker's connection.
func (w *worker) send(iss *prepared, r *Recipient) (string, error) {
	start := time.Now()
	reply, err := w.conn.Send(iss.wire, r)
	w.used = time.Now()
	w.p.Metrics.observeSend(w.used.Sub(start), err)
	return reply, err
}

func (w *worker) settleWindow() { w.settle(w.p.cfg.MarkWindow) }

// failedBeforeMessage reports a dead connection found at a message's first
// command: a transport failure or a 421 (the server closing), with nothing
// of the message sent.
func failedBeforeMessage(err error) bool {
	var ef earlyFailure
	if !errors.As(err, &ef) || !ef.FailedBeforeMessage() {
		return false
	}
	_, code, _ := classify(err)
	return code == 0 || code == 421
}

// dial opens the connection, backing off while the server is unreachable.
// A failed dial is not an attempt of the delivery.
func (w *worker) dial(ctx context.Context) bool {
	conn, err := w.p.Transport.Dial(ctx)
	if err == nil {
		w.conn, w.sent, w.dialWait, w.used = conn, 0, 0, time.Now()
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
		p.markedSome()
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
