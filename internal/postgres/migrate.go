package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrateLockID is the advisory lock key that serialises migrators.
const migrateLockID = 7240_0001

// Migration is one numbered .sql file and whether it has been applied.
type Migration struct {
	Version int
	Name    string
	Applied bool
}

// readMigrations lists NNNN_name.sql files in numeric order.
func readMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[int]string{}
	for _, n := range names {
		num, _, ok := strings.Cut(n, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must be NNNN_name.sql", n)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %q and %q share version %d", prev, n, v)
		}
		seen[v] = n
		out = append(out, Migration{Version: v, Name: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// foldedLast is the last migration before 0001–0044 were folded into the
// baseline (versions below baselineEnd). A database that has it holds
// exactly the baseline's schema (pg_dump --schema-only of the two is the
// same), so the baseline is recorded as applied in place of the old files.
const (
	foldedLast  = "0044_delivery_counts.sql"
	baselineEnd = 10
)

func adoptBaseline(ctx context.Context, conn *pgx.Conn, all []Migration, log *slog.Logger) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM schema_migrations WHERE version <= 44
			AND EXISTS (SELECT 1 FROM schema_migrations WHERE version = 44 AND name = $1)`, foldedLast)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		for _, m := range all {
			if m.Version >= baselineEnd {
				break
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("migrate: adopt baseline: %w", err)
			}
		}
		if log != nil {
			log.Info("database migrated before the schema was folded: baseline recorded as applied", "replaced", tag.RowsAffected())
		}
		return nil
	})
}

// MigrationStatus lists every known migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context, fsys fs.FS) ([]Migration, error) {
	all, err := readMigrations(fsys)
	if err != nil {
		return nil, err
	}
	applied := map[int]bool{}
	var exists bool
	if err := db.Pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	if exists {
		rows, _ := db.Pool.Query(ctx, `SELECT version FROM schema_migrations`)
		vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return nil, fmt.Errorf("migration status: %w", err)
		}
		for _, v := range vs {
			applied[v] = true
		}
	}
	for i := range all {
		all[i].Applied = applied[all[i].Version]
	}
	return all, nil
}

// Migrate applies every pending migration in order, each in its own
// transaction. A session advisory lock held on one dedicated connection makes
// concurrent migrators (several serve processes starting at once) take turns;
// the second finds nothing left to do.
func (db *DB) Migrate(ctx context.Context, fsys fs.FS, log *slog.Logger) error {
	all, err := readMigrations(fsys)
	if err != nil {
		return err
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockID); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockID)

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	if err := adoptBaseline(ctx, conn.Conn(), all, log); err != nil {
		return err
	}
	for _, m := range all {
		sql, err := fs.ReadFile(fsys, m.Name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		applied := false
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, m.Version, m.Name)
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
			applied = true
			_, err = tx.Exec(ctx, string(sql))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if applied && log != nil {
			log.Info("migration applied", "version", m.Version, "name", m.Name)
		}
	}
	return nil
}
