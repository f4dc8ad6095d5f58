package config

import (
	"flag"
	"io"
	"net/netip"
	"strings"
	"testing"
)

func loadWith(env map[string]string) (*Config, error) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, nil, func(k string) string { return env[k] })
}

// The hardening settings are checked at start, each error one line naming
// its variable.
func TestHardeningSettings(t *testing.T) {
	c, err := loadWith(map[string]string{"BULLETIN_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7 ,fd00::/8",
		"BULLETIN_METRICS_TOKEN": "0123456789abcdef", "BULLETIN_METRICS_ADDR": "127.0.0.1:9100"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("fd00::/8")}
	if len(c.TrustedProxies) != 3 || c.TrustedProxies[0] != want[0] || c.TrustedProxies[1] != want[1] || c.TrustedProxies[2] != want[2] {
		t.Fatalf("TrustedProxies = %v, want %v", c.TrustedProxies, want)
	}
	if c.MetricsToken != "0123456789abcdef" || c.MetricsAddr != "127.0.0.1:9100" {
		t.Fatalf("metrics settings = %q %q", c.MetricsToken, c.MetricsAddr)
	}
	for _, tc := range []struct{ env, value string }{
		{"BULLETIN_TRUSTED_PROXIES", "10.0.0.0/33"},
		{"BULLETIN_TRUSTED_PROXIES", "proxy.example.org"},
		{"BULLETIN_METRICS_TOKEN", "short"},
		{"BULLETIN_METRICS_ADDR", "9100"},
		{"BULLETIN_METRICS_ADDR", "127.0.0.1:8080"}, // BULLETIN_ADDR's default
	} {
		_, err := loadWith(map[string]string{tc.env: tc.value})
		if err == nil || !strings.HasPrefix(err.Error(), tc.env+":") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: err = %v, want one line starting with %s:", tc.env, tc.value, err, tc.env)
		}
	}
}
