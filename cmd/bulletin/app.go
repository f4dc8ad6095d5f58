package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"bulletin/internal/archivecache"
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

	services []func(ctx context.Context) error
	ready    chan struct{}
	onClose  []func() // run by Close, e.g. to remove the demo's preview file
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

// Close releases the database.
func (m *Main) Close() {
	for _, f := range m.onClose {
		f()
	}
	if m.DB != nil {
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
		m.services = append(m.services, m.schedulerService(compiler))
	}
	send, err := m.wireSending(m.Config.Roles.Sender) // sender.go: delivery service, sender pool, metrics
	if err != nil {
		return err
	}
	if m.Config.Roles.Web {
		srv := &web.Server{Log: m.Log, BaseURL: m.Config.BaseURL, Templates: m.Templates, Health: m.DB,
			Issues: m.DB, Compiler: compiler,
			Tokens: m.DB, Items: m.DB, Newsletters: m.DB,
			Delivery: send.svc, Metrics: send.metrics}
		m.wireSubscribers(srv)
		srv.Archive = m.DB
		if m.Config.ArchiveCacheMB > 0 { // archive pages from memory, kept in step by LISTEN and a 5 s version poll
			srv.ArchiveCache = archivecache.New(int64(m.Config.ArchiveCacheMB) << 20)
			m.services = append(m.services, func(ctx context.Context) error {
				return archivecache.Watch(ctx, m.DB, srv.ArchiveCache, 5*time.Second, m.Log)
			})
		}
		srv.Accounts = m.DB // users and tokens API
		m.wireAdmin(srv)
		h, err := srv.Handler()
		if err != nil {
			return err
		}
		m.services = append(m.services, func(ctx context.Context) error { return m.serveHTTP(ctx, h) })
	}
	return nil
}

// Run starts every service of the enabled roles and blocks until ctx is
// done or one fails; then it stops the others and waits for them.
func (m *Main) Run(ctx context.Context) error {
	if err := m.wire(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, len(m.services))
	for _, svc := range m.services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := svc(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- err
				cancel()
			}
		}()
	}
	m.Log.Info("bulletin running", "roles", m.Config.Roles.String())
	wg.Wait()
	close(errc)
	return <-errc
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
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	m.Log.Info("http listening", "addr", m.Addr, "base_url", m.Config.BaseURL)
	close(m.ready)
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	m.Log.Info("http stopped")
	return nil
}
