package main

import (
	"bulletin/internal/delivery"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/internal/clicks"
	"bulletin/internal/config"
	"bulletin/internal/postgres"
	"bulletin/internal/web"
	"bulletin/migrations"
	"bulletin/templates"
)

// Main is the running service: configuration, database and the roles'
// services. main wires it; an end-to-end test can boot it on port 0.
type Main struct {
	Config    *config.Config
	Log       *slog.Logger
	DB        *postgres.DB
	Templates fs.FS

	// Listener, when set, is used instead of listening on Config.Addr.
	Listener net.Listener
	// Addr is the address the web role listens on, once Run started it.
	Addr string
	// InboundAddr is the inbound role's SMTP address once it listens;
	// inboundUp, when set before Run, is closed then (inbound.go).
	InboundAddr string
	inboundUp   chan struct{}
	inbound     *inboundParts

	services []service
	ready    chan struct{}
	onClose  []func() // run by Close, e.g. to remove the demo's preview file
	stuck    bool     // a service outlived the grace period: Close must not wait for it
}

// service is one long-running part of the process (http, scheduler,
// sender, import jobs, mail queue): Run starts it and, when the context
// ends, waits for it to drain.
type service struct {
	name string
	run  func(ctx context.Context) error
}

// add registers a service for Run.
func (m *Main) add(name string, run func(ctx context.Context) error) {
	m.services = append(m.services, service{name: name, run: run})
}

// Open connects to the database and applies pending migrations.
func (m *Main) Open(ctx context.Context) error {
	if m.Config.DatabaseURL == "" {
		return errors.New("DATABASE_URL: not set (serve needs a PostgreSQL connection string)")
	}
	db, err := postgres.Open(ctx, m.Config.DatabaseURL, int32(m.Config.SMTPConns+8))
	if err != nil {
		return err
	}
	m.DB = db
	db.LinkBase = m.Config.BaseURL                                  // compile numbers links and writes the copy to send (clicks)
	db.LimitSearchIndexes(int64(m.Config.SearchIndexMB)<<20, m.Log) // archive search indexes held, estimated bytes
	if err := db.Migrate(ctx, migrations.FS, m.Log); err != nil {
		return err
	}
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		return err
	}
	m.Templates = templates.Overlay(m.Config.TemplatesDir)
	m.ready = make(chan struct{})
	return nil
}

// Close releases the database, unless a service that overstayed the grace
// period may still hold a connection (closing the pool would wait for it).
func (m *Main) Close() {
	for _, f := range m.onClose {
		f()
	}
	if m.DB != nil && !m.stuck {
		m.DB.Close()
	}
}

// wire builds each enabled role's services. Roles that arrive later add
// themselves here.
func (m *Main) wire() error {
	compiler, err := m.newCompiler() // every role: bad email templates stop start-up
	if err != nil {
		return err
	}
	if m.Config.Roles.Scheduler {
		m.add("scheduler", m.schedulerService(compiler))
		m.add("delivery-retention", (&delivery.Retention{Store: m.DB, Log: m.Log, Retention: m.Config.DeliveryRetention}).Run)
	}
	send, err := m.wireSending(m.Config.Roles.Sender) // sender.go: delivery service, sender pool, metrics
	if err != nil {
		return err
	}
	if m.Config.Roles.Inbound {
		m.startInbound(send.registry) // inbound.go: listener, sweep, IMAP poller
	}
	if m.Config.Roles.Web {
		m.tuneGC() // gc.go: a higher collector target, under a memory limit
		// A send from the API or the admin UI answers once the issue is
		// sending; the rest of its fan-out goes on here.
		fanOuts := &delivery.FanOuts{Store: m.DB, Log: m.Log, Wake: send.svc.Wake}
		send.svc.Continue = fanOuts.Continue
		m.add("fan-out", fanOuts.Run)
		srv := &web.Server{Log: m.Log, BaseURL: m.Config.BaseURL, Templates: m.Templates, Health: m.DB,
			Issues: m.DB, Compiler: compiler,
			Items: m.DB, Newsletters: m.DB,
			Delivery: send.svc, Metrics: send.metrics}
		m.wireSubscribers(srv)
		srv.Archive = m.DB
		if m.Config.ArchiveCacheMB > 0 { // archive pages from memory, kept in step by LISTEN and a 5 s version poll
			srv.ArchiveCache = archivecache.New(int64(m.Config.ArchiveCacheMB) << 20)
			m.DB.FollowArchiveVersion(srv.ArchiveCache.Version) // search's index and newsletter row follow the same watch
			m.add("archive-cache", func(ctx context.Context) error {
				return archivecache.Watch(ctx, m.DB, srv.ArchiveCache, 5*time.Second, m.Log)
			})
		}
		registerArchiveMetrics(send.registry, srv.ArchiveCache, m.DB) // archive_metrics.go: the cache's and search's memory on /metrics
		srv.Accounts = m.DB                                           // users and tokens API
		srv.Clicks, srv.ClickTargets, srv.Counting = &clicks.Counter{}, &clicks.Resolver{Lookup: m.DB}, m.DB
		srv.AccountLinks = m.DB // invitations, resets, settings
		m.wireAdmin(srv)
		m.wireWebhooks(srv)
		if err := m.wireHardening(srv); err != nil { // hardening.go: shared rate limits, proxies, /metrics access
			return err
		}
		h, err := srv.Handler()
		if err != nil {
			return err
		}
		m.add("http", func(ctx context.Context) error { return m.serveHTTP(ctx, h) })
		// Click counts: every 5 s and once more when the process stops.
		m.add("click-counts", (&clicks.Flusher{Counter: srv.Clicks, Store: m.DB, Log: m.Log}).Run)
		m.add("import-jobs", m.importJobsService())
		m.add("notifier", m.notifierService()) // background.go: account and notification emails
	}
	return m.wireMailQueue() // background.go: every process with an SMTP server sends queued mail
}

// Run starts every service of the enabled roles and blocks until ctx is
// done (SIGTERM) or one fails; then it stops them all and waits for them
// to drain, at most BULLETIN_SHUTDOWN_GRACE. A service still running after
// that is named in the error, and the process exits without it.
func (m *Main) Run(ctx context.Context) error {
	if err := m.wire(); err != nil {
		return err
	}
	return m.runServices(ctx)
}

// runServices runs m.services until ctx is done or one fails, then drains
// them within the grace period.
func (m *Main) runServices(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		name string
		err  error
	}
	done := make(chan result, len(m.services))
	for _, svc := range m.services {
		go func() {
			m.Log.Debug("service started", "service", svc.name)
			err := svc.run(ctx)
			if errors.Is(err, context.Canceled) {
				err = nil
			}
			done <- result{svc.name, err}
		}()
	}
	m.Log.Info("bulletin running", "roles", m.Config.Roles.String(), "services", len(m.services))
	running := map[string]int{}
	for _, svc := range m.services {
		running[svc.name]++
	}
	var first error
	var grace <-chan time.Time
	stopping := ctx.Done()
	for len(running) > 0 {
		select {
		case r := <-done:
			if running[r.name]--; running[r.name] == 0 {
				delete(running, r.name)
			}
			if r.err != nil {
				m.Log.Error("service failed", "service", r.name, "err", r.err)
				first = cmp.Or(first, fmt.Errorf("%s: %w", r.name, r.err))
				cancel() // one fails, all stop
			} else {
				m.Log.Info("service stopped", "service", r.name) // done with its work, or drained
			}
		case <-stopping:
			stopping = nil
			m.Log.Info("stopping: draining services", "grace", m.Config.ShutdownGrace)
			grace = time.After(m.Config.ShutdownGrace)
		case <-grace:
			m.stuck = true
			names := slices.Sorted(maps.Keys(running))
			m.Log.Error("services still running after the grace period; exiting without them", "services", names)
			return fmt.Errorf("stop: %s still running after BULLETIN_SHUTDOWN_GRACE %s", strings.Join(names, ", "), m.Config.ShutdownGrace)
		}
	}
	return first
}

// serveHTTP serves until ctx is done, then drains in-flight requests.
func (m *Main) serveHTTP(ctx context.Context, h http.Handler) error {
	ln := m.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
			return fmt.Errorf("listen on BULLETIN_ADDR %s: %w", m.Config.Addr, err)
		}
	}
	m.Addr = ln.Addr().String()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
		ConnContext: web.ConnContext}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	m.Log.Info("http listening", "addr", m.Addr, "base_url", m.Config.BaseURL)
	close(m.ready)
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.Config.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	m.Log.Info("http stopped")
	return nil
}

// withMain opens the service's database (migrating it) for a one-shot
// command, runs fn and closes it again.
func withMain(ctx context.Context, env *Env, cfg *config.Config, fn func(m *Main) error) error {
	m := &Main{Config: cfg, Log: newLogger(env, cfg.LogLevel)}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return fn(m)
}
