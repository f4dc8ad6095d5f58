package delivery

import "time"

// Config tunes the pool. Zero values take the defaults of withDefaults.
type Config struct {
	Conns        int           // SMTP connections (workers); BULLETIN_SMTP_CONNS
	Rate         float64       // messages per second over all workers, 0 = unlimited; BULLETIN_SEND_RATE
	Batch        int           // rows per claim
	Lease        time.Duration // how long a claim holds its rows unless renewed (the pool renews every Lease/4)
	Poll         time.Duration // how often an idle claimer looks for work
	MaxAttempts  int           // attempts before a retried delivery fails for good
	RetryBase    time.Duration // first back-off; doubles per attempt
	RetryMax     time.Duration // back-off cap
	RecycleAfter int           // messages per connection before it is closed and redialled
	IdleClose    time.Duration // a connection unused this long is closed; -1 = never; BULLETIN_SMTP_IDLE
	MarkWindow   int           // 250s per connection that may await their commit while the next message goes out; -1 = none; BULLETIN_MARK_WINDOW
	BounceAfter  int           // hard failures before a subscriber is marked bounced
	PauseAfter   int           // 5.7.x rejections per issue before it is paused
	BaseURL      string        // public URL for unsubscribe, preference and archive links
	// With an inbound domain (cmd/bulletin wires internal/inbound's
	// Addresses): the VERP envelope sender of each delivery (named with
	// its issue, so a bounce finds it in one partition), and the
	// List-Unsubscribe mailto address of a token. Nil: the transport's
	// envelope sender, and no mailto advertised, since nobody reads it.
	EnvelopeFor func(issueID, deliveryID int64) string
	MailtoFor   func(token string) string
}

// DefaultMarkWindow keeps SPEC §7's promise: after a crash at most the
// messages in flight are sent again, two per connection (the commit of
// one overlaps the sending of the next). BulkMarkWindow is the opt-in for
// bulk runs: up to 9 per connection, with commits of a dozen rows or more.
const (
	DefaultMarkWindow = 1
	BulkMarkWindow    = 8
)

// DefaultIdleClose closes a pooled SMTP connection that waited this long:
// servers drop idle clients after 60-300 s, and a connection they dropped
// fails the next message written to it.
const DefaultIdleClose = 30 * time.Second

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Conns, 4)
	def(&c.Batch, 100)
	def(&c.MaxAttempts, 8)
	def(&c.RecycleAfter, 1000)
	def(&c.BounceAfter, 3)
	def(&c.PauseAfter, 10)
	if c.MarkWindow == 0 {
		c.MarkWindow = DefaultMarkWindow
	}
	c.MarkWindow = max(c.MarkWindow, 0)
	defDur(&c.Lease, DefaultLease)
	defDur(&c.Poll, time.Second)
	defDur(&c.RetryBase, 30*time.Second)
	defDur(&c.RetryMax, time.Hour)
	if c.IdleClose == 0 {
		c.IdleClose = DefaultIdleClose
	}
	if c.Rate > 0 {
		// Never hold more rows than a quarter of the lease can send, so a
		// slow, rate-limited worker never outlives its lease.
		if n := int(c.Rate * c.Lease.Seconds() / 4); n < c.Batch {
			c.Batch = max(n, 1)
		}
	}
	return c
}

// backoff is the wait before attempt n+1 after n failed attempts.
func (c Config) backoff(attempts int) time.Duration {
	d := c.RetryBase
	for i := 1; i < attempts && d < c.RetryMax; i++ {
		d *= 2
	}
	return min(d, c.RetryMax)
}
