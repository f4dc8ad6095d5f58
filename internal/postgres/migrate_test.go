package postgres_test

import (
	"context"
	"sync"
	"testing"
	"testing/fstest"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
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

// Applying the migrations to a database that has them all changes nothing
// and records nothing.
func TestMigrateTwiceAppliesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	var before int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, migrations.FS, nil); err != nil {
		t.Fatal(err)
	}
	var after int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before == 0 || after != before {
		t.Errorf("schema_migrations: %d rows before, %d after a second run", before, after)
	}
}

// The baseline is versions 0001–0009, one file per table group; later
// migrations come on top from 0050.
func TestBaselineVersions(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	st, err := db.MigrationStatus(context.Background(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range st {
		if m.Version >= 10 && m.Version < 50 {
			t.Errorf("migration %s: versions 0010–0049 are left free between the baseline and later work", m.Name)
		}
	}
	if len(st) == 0 || st[0].Version != 1 {
		t.Fatalf("migrations %+v: want the baseline to start at 0001", st)
	}
}

// The folded baseline keeps what the history built for the delivery engine:
// deliveries have no foreign keys (their ON DELETE actions are triggers),
// no 'sending' status, and half-empty pages for HOT updates of a claim
// (on each partition since migration 0140: the parent cannot carry them).
func TestBaselineDeliveries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	var fks int
	var options []string
	if err := db.Pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM pg_constraint WHERE conrelid = 'deliveries'::regclass AND contype = 'f'),
			coalesce((SELECT reloptions FROM pg_class WHERE oid = 'deliveries_default'::regclass), '{}')`).Scan(&fks, &options); err != nil {
		t.Fatal(err)
	}
	if fks != 0 {
		t.Errorf("deliveries has %d foreign keys, want none", fks)
	}
	if len(options) != 1 || options[0] != "fillfactor=50" {
		t.Errorf("deliveries options %v, want [fillfactor=50]", options)
	}
	fixture.List(t, db, &bulletin.List{Slug: "main"})
	issue, sub := fixture.Issue(t, db, "").ID, fixture.Subscriber(t, db, "main", "a@example.org").ID
	if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, status) VALUES ($1, $2, 'sending')`, issue, sub); err == nil {
		t.Error("a delivery with status 'sending' was accepted")
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id) VALUES ($1, $2)`, issue, sub); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM subscribers WHERE id = $1`, sub); err != nil {
		t.Fatal(err)
	}
	var kept int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE issue_id = $1 AND subscriber_id IS NULL`, issue).Scan(&kept)
	if kept != 1 {
		t.Errorf("after erasing the subscriber %d deliveries kept without the person, want 1", kept)
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM issues WHERE id = $1`, issue); err != nil {
		t.Fatal(err)
	}
	var left int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries`).Scan(&left)
	if left != 0 {
		t.Errorf("%d deliveries left after deleting their issue, want 0", left)
	}
}

// A database migrated with the files the baseline replaced (0001_init …
// 0044_delivery_counts) has the baseline's schema: Migrate records the
// baseline as applied instead of failing on tables that exist.
func TestMigrateAdoptsPreFoldDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.Pool.Exec(ctx, `DELETE FROM schema_migrations WHERE version < 10;
		INSERT INTO schema_migrations (version, name) VALUES (1, '0001_init.sql'), (10, '0010_items_indexes.sql'),
			(30, '0030_subscriptions.sql'), (40, '0040_deliveries.sql'), (41, '0041_deliveries_fanout.sql'),
			(42, '0042_deliveries_lease.sql'), (43, '0043_issues_fanout.sql'), (44, '0044_delivery_counts.sql')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, migrations.FS, nil); err != nil {
		t.Fatalf("migrating a pre-fold database: %v", err)
	}
	st, err := db.MigrationStatus(ctx, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&rows)
	for _, m := range st {
		if !m.Applied {
			t.Errorf("%s not recorded as applied", m.Name)
		}
	}
	if rows != len(st) {
		t.Errorf("schema_migrations has %d rows, want one per file (%d): the old files' rows must go", rows, len(st))
	}
}
