package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/pgtest"

	"github.com/chromedp/chromedp"
)

// startFull boots the real service with every role against a fresh
// database, sending through the built-in SMTP capture, as the demo does.
func startFull(t *testing.T) (*Main, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg, err := config.Load(fs, []string{"--roles", "web,scheduler,sender"}, func(k string) string {
		return map[string]string{"DATABASE_URL": pgtest.NewURL(t), "BULLETIN_BASE_URL": base,
			"BULLETIN_SMTP_URL": "smtp://127.0.0.1:1?tls=none"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Listener: ln}
	if testing.Verbose() {
		m.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	sink, err := capture.Start("127.0.0.1:0", m.DB, m.Log)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SMTP = config.PlainSMTP(sink.Addr)
	cfg.SMTPURL = cfg.SMTP.URL()
	t.Cleanup(func() { _ = sink.Close() }) // after Main has stopped and closed
	t.Cleanup(runMain(t, ctx, cancel, m, m.ready))
	return m, base
}

// browser starts Debian's chromium for one test and returns a tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("chromium is required (apt-get install -y chromium): ", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("no-sandbox", os.Getuid() == 0),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1200, 900))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancel() })
	return ctx
}

// shooter saves numbered full-page screenshots to $BULLETIN_SCREENSHOTS
// (kept, for looking at) or to the test's temp dir.
type shooter struct {
	t   *testing.T
	ctx context.Context
	dir string
	n   int
}

func newShooter(t *testing.T, ctx context.Context) *shooter {
	dir := os.Getenv("BULLETIN_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &shooter{t: t, ctx: ctx, dir: dir}
}

func (s *shooter) shot(name string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	s.n++
	file := filepath.Join(s.dir, strconv.Itoa(100 + s.n)[1:]+"-"+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}
