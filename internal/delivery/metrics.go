package delivery

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the sender's Prometheus series. Build them with NewMetrics on
// a registry made by main; a nil *Metrics records nothing.
type Metrics struct {
	Sent     prometheus.Counter
	Failed   prometheus.Counter
	Retries  prometheus.Counter
	Alarms   prometheus.Counter
	Rescued  prometheus.Counter
	DialErrs prometheus.Counter
	Stale    prometheus.Counter
	Latency  prometheus.Histogram
}

// NewMetrics registers the sender's series on reg. queue, when not nil,
// backs the queue-depth gauge (read at scrape time) and rate is the
// configured BULLETIN_SEND_RATE.
func NewMetrics(reg prometheus.Registerer, queue func(context.Context) (int64, error), rate float64) *Metrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "bulletin", Name: name, Help: help})
	}
	m := &Metrics{
		Sent:     counter("deliveries_sent_total", "Messages accepted by the SMTP server (rate() of this is the send rate)."),
		Failed:   counter("deliveries_failed_total", "Deliveries that failed for good."),
		Retries:  counter("deliveries_retries_total", "Failed attempts that will be retried (4xx, transport errors, policy)."),
		Alarms:   counter("smtp_policy_rejections_total", "5.7.x policy rejections: the sender's configuration (SPF, DKIM, DMARC) needs attention."),
		Rescued:  counter("deliveries_rescued_total", "Deliveries taken over by a claim after their lease expired (their sender died or stalled)."),
		DialErrs: counter("smtp_dial_errors_total", "Failed SMTP connection attempts."),
		Stale: counter("smtp_stale_connections_total", "Pooled SMTP connections found dead at a message's first command; "+
			"the message went out at once on a new connection, without counting an attempt."),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "bulletin", Name: "smtp_send_seconds",
			Help: "Time to send one message over an open SMTP connection.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}),
	}
	reg.MustRegister(m.Sent, m.Failed, m.Retries, m.Alarms, m.Rescued, m.DialErrs, m.Stale, m.Latency)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bulletin", Name: "send_rate_limit",
		Help: "Configured messages per second per sender process (0 = unlimited)."}, func() float64 { return rate }))
	if queue != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bulletin", Name: "deliveries_queue_depth",
			Help: "Deliveries pending or in flight, all issues."}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := queue(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	return m
}

func (m *Metrics) observeSend(d time.Duration, err error) {
	if m != nil {
		m.Latency.Observe(d.Seconds())
	}
}

func (m *Metrics) sent(n int) {
	if m != nil {
		m.Sent.Add(float64(n))
	}
}

func (m *Metrics) failure(f Failure, v verdict) {
	if m == nil {
		return
	}
	if f.Final {
		m.Failed.Inc()
	} else {
		m.Retries.Inc()
	}
	if v == policy {
		m.Alarms.Inc()
	}
}

func (m *Metrics) rescued(n int) {
	if m != nil {
		m.Rescued.Add(float64(n))
	}
}

func (m *Metrics) dialFailed() {
	if m != nil {
		m.DialErrs.Inc()
	}
}

func (m *Metrics) staleConn() {
	if m != nil {
		m.Stale.Inc()
	}
}
