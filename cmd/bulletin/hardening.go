package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"bulletin/internal/web"
)

// wireHardening gives the web server its production settings (issue 16):
// rate limits shared through the database, trusted proxies, and /metrics
// behind a token or on its own listener.
func (m *Main) wireHardening(srv *web.Server) error {
	srv.RateLimits = m.DB
	srv.TrustedProxies = m.Config.TrustedProxies
	srv.MetricsToken = m.Config.MetricsToken
	if m.Config.MetricsAddr != "" && srv.Metrics != nil {
		metrics := srv.Metrics
		srv.Metrics = nil // not on the main address
		// Listening now, before any service runs, means the address is
		// taken (or the error known) by the time Run reports ready.
		ln, err := net.Listen("tcp", m.Config.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on BULLETIN_METRICS_ADDR %s: %w", m.Config.MetricsAddr, err)
		}
		m.add("metrics", func(ctx context.Context) error { return m.serveMetrics(ctx, ln, metrics) })
	}
	return nil
}

// serveMetrics serves GET /metrics alone on ln until ctx is done.
func (m *Main) serveMetrics(ctx context.Context, ln net.Listener, metrics http.Handler) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	m.Log.Info("metrics listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("metrics http: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}
