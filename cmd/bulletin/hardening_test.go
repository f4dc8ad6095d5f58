package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"bulletin/internal/config"
	"bulletin/internal/pgtest"
)

// startMainArgs boots the real service like startMain, with extra flags.
func startMainArgs(t *testing.T, args ...string) string {
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
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		m.Close()
	})
	select {
	case <-m.ready:
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	}
	return "http://" + m.Addr
}

func getStatus(t *testing.T, url, bearer string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// BULLETIN_METRICS_ADDR moves /metrics to its own listener: the public
// address no longer serves it.
func TestServeMetricsOnOwnAddress(t *testing.T) {
	addr := freeAddr(t)
	base := startMainArgs(t, "--roles", "web", "--metrics-addr", addr)
	if code := getStatus(t, base+"/metrics", ""); code != http.StatusNotFound {
		t.Fatalf("/metrics on the main address = %d, want 404", code)
	}
	if code := getStatus(t, "http://"+addr+"/metrics", ""); code != http.StatusOK {
		t.Fatalf("/metrics on BULLETIN_METRICS_ADDR = %d, want 200", code)
	}
}

// BULLETIN_METRICS_TOKEN: /metrics answers only the bearer of the token.
func TestServeMetricsToken(t *testing.T) {
	const token = "scrape-0123456789abcdef"
	base := startMainArgs(t, "--roles", "web", "--metrics-token", token)
	for _, tc := range []struct {
		bearer string
		want   int
	}{{"", 401}, {"wrong-0123456789abcdef", 401}, {token + "x", 401}, {token, 200}} {
		if code := getStatus(t, base+"/metrics", tc.bearer); code != tc.want {
			t.Errorf("/metrics with bearer %q = %d, want %d", tc.bearer, code, tc.want)
		}
	}
}
