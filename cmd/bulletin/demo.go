package main

import (
	"context"
	"fmt"

	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/pgserver"
)

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "demo", "demo [--data-dir DIR] [--smtp-addr HOST:PORT] [flags]")
	dataDir := fs.String("data-dir", "", "keep the throwaway PostgreSQL here so a second run resumes (default: a temporary folder removed at exit)")
	smtpAddr := fs.String("smtp-addr", "127.0.0.1:2525", "where the built-in SMTP capture listens")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	log := newLogger(env, cfg.LogLevel)
	ln, base, err := demoListen(env, fs, cfg.Addr) // demo_addr.go
	if err != nil {
		return fmt.Errorf("listen on BULLETIN_ADDR %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	if base != "" {
		cfg.BaseURL = base
	}

	if cfg.DatabaseURL == "" {
		log.Info("starting a throwaway PostgreSQL", "data_dir", *dataDir)
		pg, err := pgserver.Start(ctx, pgserver.Options{DataDir: *dataDir, Fast: *dataDir == ""})
		if err != nil {
			return err
		}
		defer pg.Stop()
		cfg.DatabaseURL = pg.URL
	}

	m := &Main{Config: cfg, Log: log, Listener: ln}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()

	cap, err := capture.Start(*smtpAddr, m.DB, log)
	if err != nil {
		return fmt.Errorf("%w (choose another with --smtp-addr)", err)
	}
	defer cap.Close()
	cfg.SMTP = config.PlainSMTP(cap.Addr)
	cfg.SMTPURL = cfg.SMTP.URL()

	history, err := parseDemoHistory(demoHistoryText) // demo_history_data.go
	if err != nil {
		return err
	}
	seed, current, err := seedDemoWith(ctx, m, history)
	if err != nil {
		return fmt.Errorf("demo: seed: %w", err)
	}
	m.add("demo-history", m.backdateDemoHistory(len(history))) // demo_backdate.go
	in, err := demoInbound(m, current)                         // demo_inbound.go: the inbound role, its samples and swaks lines
	if err != nil {
		return err
	}
	seed = append(seed, in...)

	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx) }()
	select {
	case <-m.ready:
	case err := <-errc:
		return err
	}
	fmt.Fprintf(env.Stdout, "\nBulletin demo is running. Press Ctrl-C to stop.\n\n")
	fmt.Fprintf(env.Stdout, "  Web:          %s  (listening on %s)\n", cfg.BaseURL, m.Addr)
	fmt.Fprintf(env.Stdout, "  Health:       %s/healthz\n", cfg.BaseURL)
	fmt.Fprintf(env.Stdout, "  SMTP capture: %s  (every message sent is kept; try: swaks --server %s --to you@example.org)\n", cap.Addr, cap.Addr)
	fmt.Fprintf(env.Stdout, "  Admin UI:     %s/admin/  (captured mail at %s/admin/captured/)\n", cfg.BaseURL, cfg.BaseURL)
	fmt.Fprintf(env.Stdout, "  Archive:      %s/  (public; an issue appears once it is sent)\n", cfg.BaseURL)
	fmt.Fprintf(env.Stdout, "  History:      %d issues before this one, a week apart (by month: %s/archive/weekly/  feed: %s/archive/weekly/feed.atom  search: %s/archive/weekly/search?q=hedgehog)\n",
		len(history), cfg.BaseURL, cfg.BaseURL, cfg.BaseURL)
	for _, line := range seed {
		fmt.Fprintf(env.Stdout, "  %s\n", line)
	}
	fmt.Fprintln(env.Stdout)
	return <-errc
}

// seedDemo fills an empty database with the sample newsletter, list,
// subscribers and items, and runs the cycle once, with no history. It
// returns lines to print (logins, URLs). A second run on a kept --data-dir
// finds the data there.
func seedDemo(ctx context.Context, m *Main) ([]string, error) {
	lines, _, err := seedDemoWith(ctx, m, nil)
	return lines, err
}

// seedDemoWith is seedDemo with a history of past issues compiled first
// (demo_history.go). It also returns the number of the current issue, the
// one the demo's reports wait for.
func seedDemoWith(ctx context.Context, m *Main, history [][]demoItem) ([]string, int, error) {
	users, err := seedDemoUsers(ctx, m) // demo_users.go: logins per role
	if err != nil {
		return nil, 0, err
	}
	issue, current, err := seedDemoIssues(ctx, m, history) // demo_issue.go: history, sample items, current issue
	if err != nil {
		return nil, 0, err
	}
	// After the issue's seed, which creates the default newsletter.
	subs, err := seedSubscribers(ctx, m) // demo_subscribers.go: list "weekly", readers
	if err != nil {
		return nil, 0, err
	}
	sending := demoSending(m, current) // demo_send.go: the sender role mails the issues through the capture
	return append(append(append(users, issue...), subs...), sending...), current, nil
}
