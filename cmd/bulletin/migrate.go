package main

import (
	"context"
	"errors"
	"fmt"

	"bulletin/internal/postgres"
	"bulletin/migrations"
)

var errSMTPRequired = errors.New("BULLETIN_SMTP_URL: not set (the sender role needs an SMTP server; run 'bulletin demo' for a built-in one)")

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "migrate", "migrate [up|status] [flags]")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	action := "up"
	if fs.NArg() > 0 {
		action = fs.Arg(0)
	}
	if fs.NArg() > 1 || (action != "up" && action != "status") {
		fs.Usage()
		return fmt.Errorf("migrate: want 'up' or 'status', got %q", fs.Args())
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL: not set")
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer db.Close()
	if action == "up" {
		if err := db.Migrate(ctx, migrations.FS, newLogger(env, cfg.LogLevel)); err != nil {
			return err
		}
	}
	st, err := db.MigrationStatus(ctx, migrations.FS)
	if err != nil {
		return err
	}
	for _, m := range st {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(env.Stdout, "%04d  %-8s %s\n", m.Version, state, m.Name)
	}
	return nil
}
