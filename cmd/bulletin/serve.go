package main

import (
	"context"
	"flag"
	"log/slog"
	"os"

	"bulletin/internal/config"
)

func newLogger(env *Env, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: l}))
}

// loadConfig binds every setting to fs, parses args and validates.
func loadConfig(env *Env, fs *flag.FlagSet, args []string) (*config.Config, error) {
	getenv := env.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return config.Load(fs, args, getenv)
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--roles web,scheduler,sender,inbound] [flags]")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if cfg.Roles.Sender && cfg.SMTPURL == "" {
		return errSMTPRequired
	}
	return withMain(ctx, env, cfg, func(m *Main) error {
		return m.Run(ctx)
	})
}
