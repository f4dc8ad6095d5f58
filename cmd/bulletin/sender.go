package main

import (
	"fmt"
	"net/http"

	"bulletin/internal/delivery"
	"bulletin/internal/smtp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// sending is the delivery engine as wired for one process: the service the
// API and CLI call, the sender pool (when the role is on) and /metrics.
type sending struct {
	svc      *delivery.Service
	pool     *delivery.Pool // nil unless this process sends
	metrics  http.Handler
	registry *prometheus.Registry // other roles add their counters to /metrics here
}

// deliveryConfig maps the service configuration onto the pool's.
func (m *Main) deliveryConfig() delivery.Config {
	window := m.Config.MarkWindow
	if window == 0 {
		window = -1 // the pool's "none": each 250 committed before the next message
	}
	idle := m.Config.SMTPIdle
	if idle == 0 {
		idle = -1 // the pool's "never"
	}
	c := delivery.Config{Conns: m.Config.SMTPConns, Rate: m.Config.SendRate, MarkWindow: window, IdleClose: idle,
		BaseURL: m.Config.BaseURL}
	if m.inbound != nil { // inbound.go: VERP envelope senders and the mailto unsubscribe address
		c.EnvelopeFor, c.MailtoFor = m.inbound.addrs.Bounce, m.inbound.addrs.Unsubscribe
	}
	return c
}

func (m *Main) transport() (*smtp.Transport, error) {
	t := &smtp.Transport{SMTP: m.Config.SMTP, Envelope: m.Config.BounceEmail}
	if m.Config.DKIMKeyFile != "" {
		d, err := smtp.LoadDKIM(m.Config.DKIMDomain, m.Config.DKIMSelector, m.Config.DKIMKeyFile)
		if err != nil {
			return nil, err
		}
		if m.Config.DKIMEd25519KeyFile != "" {
			if err := d.AddEd25519(m.Config.DKIMEd25519Selector, m.Config.DKIMEd25519KeyFile); err != nil {
				return nil, fmt.Errorf("BULLETIN_DKIM_ED25519_KEY_FILE: %w", err)
			}
		}
		t.DKIM = d
	}
	return t, nil
}

// wireSending builds the delivery service and, with the sender role, the
// pool as a service of m. The metrics registry is made here, never global.
func (m *Main) wireSending(withPool bool) (*sending, error) {
	if err := m.prepareInbound(); err != nil { // inbound.go: the VERP secret, for deliveryConfig
		return nil, err
	}
	tr, err := m.transport()
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := delivery.NewMetrics(reg, m.DB.PendingDeliveries, m.Config.SendRate)
	s := &sending{
		svc:      &delivery.Service{Store: m.DB, Transport: tr, Config: m.deliveryConfig(), Log: m.Log},
		metrics:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		registry: reg,
	}
	if withPool {
		m.tuneGC() // gc.go
		s.pool = &delivery.Pool{Config: m.deliveryConfig(), Store: m.DB, Transport: tr, Metrics: metrics, Log: m.Log}
		s.svc.Wake = s.pool.Wake
		m.add("sender", s.pool.Run) // with the fan-out continuation of interrupted sends
	}
	return s, nil
}
