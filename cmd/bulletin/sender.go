package main

import (
	"net/http"
	"os"
	"runtime/debug"

	"bulletin/internal/delivery"
	"bulletin/internal/smtp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// sending is the delivery engine as wired for one process: the service the
// API and CLI call, the sender pool (when the role is on) and /metrics.
type sending struct {
	svc     *delivery.Service
	pool    *delivery.Pool // nil unless this process sends
	metrics http.Handler
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
	return delivery.Config{Conns: m.Config.SMTPConns, Rate: m.Config.SendRate, MarkWindow: window, IdleClose: idle,
		BaseURL: m.Config.BaseURL}
}

func (m *Main) transport() (*smtp.Transport, error) {
	t := &smtp.Transport{SMTP: m.Config.SMTP, Envelope: m.Config.BounceEmail}
	if m.Config.DKIMKeyFile != "" {
		d, err := smtp.LoadDKIM(m.Config.DKIMDomain, m.Config.DKIMSelector, m.Config.DKIMKeyFile)
		if err != nil {
			return nil, err
		}
		t.DKIM = d
	}
	return t, nil
}

// wireSending builds the delivery service and, with the sender role, the
// pool as a service of m. The metrics registry is made here, never global.
func (m *Main) wireSending(withPool bool) (*sending, error) {
	tr, err := m.transport()
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := delivery.NewMetrics(reg, m.DB.PendingDeliveries, m.Config.SendRate)
	s := &sending{
		svc:     &delivery.Service{Store: m.DB, Transport: tr, Config: m.deliveryConfig(), Log: m.Log},
		metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}
	if withPool {
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(delivery.GCPercent)
		}
		s.pool = &delivery.Pool{Config: m.deliveryConfig(), Store: m.DB, Transport: tr, Metrics: metrics, Log: m.Log}
		s.svc.Wake = s.pool.Wake
		m.services = append(m.services, s.pool.Run)
	}
	return s, nil
}
