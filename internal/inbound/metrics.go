package inbound

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts inbound mail for /metrics. A nil *Metrics counts nothing.
type Metrics struct {
	byKind     *prometheus.CounterVec
	bySource   *prometheus.CounterVec
	duplicates prometheus.Counter
	replies    prometheus.Counter
}

// NewMetrics registers the inbound counters on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		byKind: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bulletin_inbound_processed_total",
			Help: "Inbound messages and webhook events processed, by kind."}, []string{"kind"}),
		bySource: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bulletin_inbound_received_total",
			Help: "Inbound messages and webhook events stored, by source."}, []string{"source"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Name: "bulletin_inbound_duplicates_total",
			Help: "Inbound messages received again and not acted on twice."}),
		replies: prometheus.NewCounter(prometheus.CounterOpts{Name: "bulletin_inbound_replies_total",
			Help: "Automatic replies sent to contributors."}),
	}
	for _, k := range Kinds() {
		m.byKind.WithLabelValues(k)
	}
	reg.MustRegister(m.byKind, m.bySource, m.duplicates, m.replies)
	return m
}

func (m *Metrics) processed(kind string) {
	if m != nil {
		m.byKind.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) received(source string) {
	if m != nil {
		m.bySource.WithLabelValues(source).Inc()
	}
}

func (m *Metrics) duplicate() {
	if m != nil {
		m.duplicates.Inc()
	}
}

func (m *Metrics) replied() {
	if m != nil {
		m.replies.Inc()
	}
}
