package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"bulletin/internal/config"
	"bulletin/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func testEnv(vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}, &out, &errb
}

// startMain boots the real service on a free port against a fresh database
// and returns its base URL; it is stopped when the test ends.
func startMain(t *testing.T, roles string) (*Main, string) {
	t.Helper()
	return startWith(t, "--roles", roles)
}

// startWith boots the real service like startMain, with the flags given.
func startWith(t *testing.T, args ...string) (*Main, string) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg, err := config.Load(fs, args, func(k string) string {
		return map[string]string{"DATABASE_URL": pgtest.NewURL(t)}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Listener: ln}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(runMain(t, ctx, cancel, m, m.ready))
	return m, "http://" + m.Addr
}

// runMain runs m (opened with ctx) and returns once each of up (m.ready,
// m.inboundUp) is closed, failing the test should Run end first. The stop
// it returns, for the test's end, cancels ctx, checks what Run returned
// and closes m.
func runMain(t *testing.T, ctx context.Context, cancel context.CancelFunc, m *Main, up ...chan struct{}) (stop func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	for _, c := range up {
		select {
		case <-c:
		case err := <-done:
			cancel()
			m.Close()
			t.Fatalf("Run ended early: %v", err)
		}
	}
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		m.Close()
	}
}

func TestServeHealthz(t *testing.T) {
	m, base := startMain(t, "web")
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz = %d, want 200", resp.StatusCode)
	}
	// With the database gone, healthz must say so.
	m.DB.Close()
	resp, err = http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed = %d, want 503", resp.StatusCode)
	}
}

// A bad configuration value stops start-up with one line naming it, before
// anything connects anywhere.
func TestServeBadConfig(t *testing.T) {
	for _, tc := range []struct{ env, value string }{
		{"BULLETIN_SMTP_URL", "smtp://host:notaport"},
		{"BULLETIN_SMTP_URL", "smtp://host:25?tls=sometimes"},
		{"BULLETIN_ADDR", "nonsense"},
		{"BULLETIN_ROLES", "web,printer"},
		{"BULLETIN_SEARCH_INDEX_MB", "lots"},
	} {
		env, _, _ := testEnv(map[string]string{tc.env: tc.value, "DATABASE_URL": "postgres://nowhere.invalid/x"})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := run(ctx, env, []string{"serve"})
		cancel()
		if err == nil || !strings.HasPrefix(err.Error(), tc.env+":") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: err = %v, want one line starting with %s:", tc.env, tc.value, err, tc.env)
		}
	}
}

func TestServeNeedsSMTPForSender(t *testing.T) {
	env, _, _ := testEnv(map[string]string{"DATABASE_URL": "postgres://nowhere.invalid/x"})
	err := run(context.Background(), env, []string{"serve", "--roles", "sender"})
	if err == nil || !strings.HasPrefix(err.Error(), "BULLETIN_SMTP_URL") {
		t.Fatalf("err = %v", err)
	}
}

// Every command answers --help with its usage and exits without doing
// anything.
func TestEveryCommandHasHelp(t *testing.T) {
	for name := range commands() {
		env, out, errb := testEnv(nil)
		err := run(context.Background(), env, []string{name, "--help"})
		if !errors.Is(err, flag.ErrHelp) && err != nil {
			t.Errorf("%s --help: err = %v", name, err)
		}
		if !strings.Contains(out.String()+errb.String(), "Usage: bulletin "+name) {
			t.Errorf("%s --help printed %q", name, out.String()+errb.String())
		}
	}
	env, out, _ := testEnv(nil)
	if err := run(context.Background(), env, []string{"--help"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "serve") {
		t.Errorf("bulletin --help lists no commands: %q", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	env, _, _ := testEnv(nil)
	if err := run(context.Background(), env, []string{"frobnicate"}); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("err = %v", err)
	}
}
