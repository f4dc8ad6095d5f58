package postgres_test

import (
	"context"
	"sync"
	"testing"
	"testing/fstest"

	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/migrations"
)

// Two processes starting at once on an empty database must end with one
// correct schema: every migration applied exactly once, no error.
func TestMigrateRace(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewEmpty(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		db, err := postgres.Open(ctx, url, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Migrate(ctx, migrations.FS, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
	}
	db, err := postgres.Open(ctx, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.MigrationStatus(ctx, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) == 0 {
		t.Fatal("no migrations found")
	}
	for _, m := range st {
		if !m.Applied {
			t.Errorf("migration %s not applied", m.Name)
		}
	}
	var rows int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(st) {
		t.Errorf("schema_migrations has %d rows, want %d", rows, len(st))
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM items`).Scan(&rows); err != nil {
		t.Errorf("items table missing after migration: %v", err)
	}
}

// A failing migration rolls back whole and is not recorded, and the status
// lists it as pending.
func TestMigrateFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewEmpty(t)
	db, err := postgres.Open(ctx, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fsys := fstest.MapFS{
		"0001_a.sql": {Data: []byte(`CREATE TABLE a (id int);`)},
		"0002_b.sql": {Data: []byte(`CREATE TABLE b (id int); SELECT no_such_function();`)},
	}
	if err := db.Migrate(ctx, fsys, nil); err == nil {
		t.Fatal("migration with a bad statement succeeded")
	}
	st, err := db.MigrationStatus(ctx, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !st[0].Applied || st[1].Applied {
		t.Fatalf("status = %+v, want 0001 applied and 0002 pending", st)
	}
	var exists bool
	db.Pool.QueryRow(ctx, `SELECT to_regclass('b') IS NOT NULL`).Scan(&exists)
	if exists {
		t.Error("table b exists: the failed migration was not rolled back")
	}
}

func TestMigrateRejectsBadNames(t *testing.T) {
	db := pgtest.New(t)
	fsys := fstest.MapFS{"init.sql": {Data: []byte(`SELECT 1`)}}
	if err := db.Migrate(context.Background(), fsys, nil); err == nil {
		t.Fatal("a migration named init.sql was accepted")
	}
}
