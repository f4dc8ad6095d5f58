package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"

	"bulletin/internal/bulletin"
	"bulletin/internal/postgres"
	"bulletin/internal/web"
	"bulletin/migrations"
)

const subscribersSynopsis = "subscribers import --list L FILE.csv | subscribers export --list L [--out FILE.csv]"

// runSubscribers dispatches "subscribers import" and "subscribers export".
func runSubscribers(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "import" {
		return runSubscribersImport(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "export" {
		return runSubscribersExport(ctx, env, args[1:])
	}
	fs := newFlagSet(env, "subscribers", subscribersSynopsis)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: bulletin %s\n\nCSV header: email,name[,status]; status is active (default), pending,\nunsubscribed, bounced or blocklisted. Run 'bulletin subscribers import --help'.\n", subscribersSynopsis)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	fs.Usage()
	return fmt.Errorf("subscribers: want import or export: %w", errUsage)
}

// openStore connects and migrates, for the one-shot commands.
func openStore(ctx context.Context, env *Env, dsn, level string) (*postgres.DB, error) {
	if dsn == "" {
		return nil, errors.New("DATABASE_URL: not set")
	}
	db, err := postgres.Open(ctx, dsn, 2)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, migrations.FS, newLogger(env, level)); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func runSubscribersImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "subscribers import", "subscribers import --list L FILE.csv (FILE - reads stdin) [flags]")
	list := fs.String("list", "", "slug of the list to import into (required)")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if *list == "" || fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("subscribers import: want --list L and one FILE.csv: %w", errUsage)
	}
	name := fs.Arg(0)
	in := env.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	db, err := openStore(ctx, env, cfg.DatabaseURL, cfg.LogLevel)
	if err != nil {
		return err
	}
	defer db.Close()
	log := newLogger(env, cfg.LogLevel)
	// Progress comes every 10,000 rows and once at the end with the total;
	// every 50,000th row is logged, and the total once, after the import.
	rows := 0
	res, err := db.ImportSubscribers(ctx, *list, in, bulletin.ImportOptions{Progress: func(n int) {
		rows = n
		if n%50_000 == 0 && n > 0 {
			log.Info("import progress", "list", *list, "rows_read", n)
		}
	}})
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	log.Info("import read", "list", *list, "rows_read", rows)
	for _, e := range res.Errors {
		if e.EndLine > e.Line {
			fmt.Fprintf(env.Stderr, "%s:%d-%d: %s\n", name, e.Line, e.EndLine, e.Error)
			continue
		}
		fmt.Fprintf(env.Stderr, "%s:%d: %s\n", name, e.Line, e.Error)
	}
	if res.MoreErrors > 0 {
		fmt.Fprintf(env.Stderr, "%s: and %d more bad lines\n", name, res.MoreErrors)
	}
	fmt.Fprintf(env.Stdout, "imported %d (%d new), skipped %d\n", res.Imported, res.Created, res.Skipped)
	if bad := len(res.Errors) + res.MoreErrors; bad > 0 {
		return fmt.Errorf("%d bad lines were skipped; the others were imported", bad)
	}
	return nil
}

func runSubscribersExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "subscribers export", "subscribers export --list L [--out FILE.csv] [flags]")
	list := fs.String("list", "", "slug of the list to export (required)")
	out := fs.String("out", "", "write here instead of stdout")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if *list == "" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("subscribers export: want --list L: %w", errUsage)
	}
	db, err := openStore(ctx, env, cfg.DatabaseURL, cfg.LogLevel)
	if err != nil {
		return err
	}
	defer db.Close()
	var w io.Writer = env.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"email", "name", "status"})
	err = db.ExportSubscribers(ctx, *list, func(e, n, s string) error { return cw.Write([]string{e, n, s}) })
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if f, ok := w.(*os.File); ok && *out != "" {
		return f.Close()
	}
	return nil
}

// wireSubscribers gives the web server its list, subscriber and import
// job stores; the mail-queue service sends the confirmation emails.
func (m *Main) wireSubscribers(srv *web.Server) {
	srv.Subscribers = m.DB
	srv.SubscriberRecords = m.DB
	srv.ImportJobs = m.DB
}
