package main

import (
	"io"
	"net"
	"net/http"
	"testing"
)

// startMainArgs boots the real service like startMain, with extra flags.
func startMainArgs(t *testing.T, args ...string) string {
	t.Helper()
	_, base := startWith(t, args...)
	return base
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
