// Package postgres is Bulletin's store: a pgx pool, the migration runner and
// the queries, one file per table. SQL is written by hand next to the code
// that scans it.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB wraps the pool. Every store method hangs off it.
type DB struct {
	Pool *pgxpool.Pool
	// RenderIssue renders an unsent issue again when an item in it is
	// corrected, inside the correction's transaction (main sets it).
	RenderIssue bulletin.IssueRenderer
	// LinkBase is BASE_URL: compile and re-render number an issue's links
	// and store the copy to send with them pointing at LinkBase/r/...
	// (clicks.go); "" sends issues as they are (main sets it).
	LinkBase string
}

// Open connects to url and checks that the server answers. maxConns of 0
// keeps pgx's default.
func Open(ctx context.Context, url string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping reports whether the database answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// inTx runs fn in a transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, fn)
}

// mapErr turns driver errors users can act on into *bulletin.Error: no rows
// is ENOTFOUND (what names the thing), a unique violation ECONFLICT.
func mapErr(err error, what string) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return bulletin.Errorf(bulletin.ENOTFOUND, "%s not found", what)
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return bulletin.Errorf(bulletin.ECONFLICT, "%s already exists", what)
	case errors.As(err, &pgErr) && pgErr.Code == "23503":
		return bulletin.Errorf(bulletin.EINVALID, "%s refers to something that does not exist", what)
	default:
		return err
	}
}
