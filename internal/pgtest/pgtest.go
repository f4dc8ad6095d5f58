// Package pgtest gives tests a real PostgreSQL: one throwaway server per test
// binary (or the one DATABASE_URL names) and one fresh, migrated database per
// test, copied from a template so a test costs one CREATE DATABASE.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// and call pgtest.New(t) in each test.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bulletin/internal/pgserver"
	"bulletin/internal/postgres"
	"bulletin/migrations"

	"github.com/jackc/pgx/v5"
)

// The harness is per test binary by nature, so its state lives here.
var (
	adminURL string // a database on the server we may CREATE DATABASE from
	template string // migrated template database name
	server   *pgserver.Server
	counter  atomic.Int64
	createMu sync.Mutex // CREATE DATABASE … TEMPLATE must not run concurrently on one template
	prefix   string
)

// Main starts the server, migrates a template database, runs the tests and
// removes everything again, whatever the tests did. It fails loudly, never
// skipping, when PostgreSQL cannot be had.
func Main(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx := context.Background()
	adminURL = os.Getenv("DATABASE_URL")
	if adminURL == "" {
		var err error
		server, err = pgserver.Start(ctx, pgserver.Options{Fast: true})
		if err != nil {
			return 1, err
		}
		defer server.Stop()
		adminURL = server.URL
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	prefix = "bt_" + hex.EncodeToString(b[:])
	template = prefix + "_template"
	if err := createTemplate(ctx); err != nil {
		return 1, err
	}
	defer dropDatabase(context.Background(), template)
	return m.Run(), nil
}

func createTemplate(ctx context.Context) error {
	if err := exec(ctx, adminURL, "CREATE DATABASE "+template); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	db, err := postgres.Open(ctx, WithDatabase(adminURL, template), 2)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx, migrations.FS, nil); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return nil
}

func exec(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func dropDatabase(ctx context.Context, name string) {
	_ = exec(ctx, adminURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// WithDatabase returns dsn pointing at database name.
func WithDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		// key=value form
		return dsn + " dbname=" + name
	}
	u.Path = "/" + name
	return u.String()
}

// Server returns the throwaway server, or nil when DATABASE_URL was used.
// Fault tests use it to restart PostgreSQL.
func Server() *pgserver.Server { return server }

// NewURL creates a fresh migrated database and returns its URL; it is
// dropped when the test ends. Use it to hand a database to a subprocess.
func NewURL(t testing.TB) string {
	t.Helper()
	if adminURL == "" {
		t.Fatal("pgtest: call pgtest.Main(m) from TestMain")
	}
	name := fmt.Sprintf("%s_%d", prefix, counter.Add(1))
	ctx := context.Background()
	createMu.Lock()
	var err error
	for i := 0; i < 5; i++ {
		// The template may briefly be "in use" right after migration.
		if err = exec(ctx, adminURL, "CREATE DATABASE "+name+" TEMPLATE "+template); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	createMu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(context.Background(), name) })
	return WithDatabase(adminURL, name)
}

// New returns a pool on a fresh migrated database of its own.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	dsn := NewURL(t)
	db, err := postgres.Open(context.Background(), dsn, 10)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// NewEmpty returns the URL of a fresh database with no schema at all, for
// migration tests.
func NewEmpty(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("%s_e%d", prefix, counter.Add(1))
	if err := exec(context.Background(), adminURL, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(context.Background(), name) })
	return WithDatabase(adminURL, name)
}
