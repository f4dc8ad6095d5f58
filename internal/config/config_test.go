package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://localhost:8080" || c.SMTPConns != 4 || c.SendRate != 0 || c.ShutdownGrace != 20*time.Second || c.ArchiveCacheMB != 64 || c.SearchIndexMB != 64 {
		t.Errorf("defaults = %+v", c)
	}
	if c.Roles != (Roles{Web: true, Scheduler: true, Sender: true}) {
		t.Errorf("roles = %v", c.Roles)
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	c, err := load(t, map[string]string{"BULLETIN_ADDR": "127.0.0.1:9000", "BULLETIN_SMTP_CONNS": "8"}, "--addr", "127.0.0.1:9100")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.SMTPConns != 8 {
		t.Errorf("addr=%s conns=%d", c.Addr, c.SMTPConns)
	}
}

func TestSMTPURL(t *testing.T) {
	c, err := load(t, map[string]string{"BULLETIN_SMTP_URL": "smtp://me:s%40cret@mail.example.org?tls=tls"})
	if err != nil {
		t.Fatal(err)
	}
	want := SMTP{Host: "mail.example.org", Port: 465, Username: "me", Password: "s@cret", TLS: "tls"}
	if c.SMTP != want {
		t.Errorf("smtp = %+v, want %+v", c.SMTP, want)
	}
}

// Each bad value stops start-up with one line naming the variable.
func TestBadValues(t *testing.T) {
	cases := []struct{ env, value, want string }{
		{"BULLETIN_SMTP_URL", "smtp://host:notaport", "BULLETIN_SMTP_URL"},
		{"BULLETIN_SMTP_URL", "smtp://host:25?tls=maybe", `tls="maybe"`},
		{"BULLETIN_SMTP_URL", "http://host", "scheme"},
		{"BULLETIN_SMTP_URL", "smtp://host:99999", "port"},
		{"BULLETIN_ADDR", "localhost", "BULLETIN_ADDR"},
		{"BULLETIN_ADDR", "127.0.0.1:http", "BULLETIN_ADDR"},
		{"BULLETIN_BASE_URL", "localhost:8080", "BULLETIN_BASE_URL"},
		{"BULLETIN_SMTP_CONNS", "0", "BULLETIN_SMTP_CONNS"},
		{"BULLETIN_SMTP_CONNS", "four", "BULLETIN_SMTP_CONNS"},
		{"BULLETIN_SEND_RATE", "-1", "BULLETIN_SEND_RATE"},
		{"BULLETIN_MARK_WINDOW", "-1", "BULLETIN_MARK_WINDOW"},
		{"BULLETIN_MARK_WINDOW", "lots", "BULLETIN_MARK_WINDOW"},
		{"BULLETIN_SMTP_IDLE", "30", "BULLETIN_SMTP_IDLE"},
		{"BULLETIN_SMTP_IDLE", "-5s", "BULLETIN_SMTP_IDLE"},
		{"BULLETIN_SMTP_IDLE", "2h", "BULLETIN_SMTP_IDLE"},
		{"BULLETIN_ROLES", "web,mailer", `unknown role "mailer"`},
		{"BULLETIN_DKIM_DOMAIN", "example.org", "set all three"},
		{"BULLETIN_DKIM_ED25519_KEY_FILE", "/k.pem", "BULLETIN_DKIM_ED25519_SELECTOR"},
		{"BULLETIN_LOG_LEVEL", "loud", "BULLETIN_LOG_LEVEL"},
		{"BULLETIN_SHUTDOWN_GRACE", "20", "BULLETIN_SHUTDOWN_GRACE"},
		{"BULLETIN_SHUTDOWN_GRACE", "0s", "BULLETIN_SHUTDOWN_GRACE"},
		{"BULLETIN_TEMPLATES_DIR", "/no/such/dir", "BULLETIN_TEMPLATES_DIR"},
		{"BULLETIN_ARCHIVE_CACHE_MB", "-1", "BULLETIN_ARCHIVE_CACHE_MB"},
		{"BULLETIN_ARCHIVE_CACHE_MB", "64MB", "BULLETIN_ARCHIVE_CACHE_MB"},
		{"BULLETIN_SEARCH_INDEX_MB", "-1", "BULLETIN_SEARCH_INDEX_MB"},
		{"BULLETIN_SEARCH_INDEX_MB", "64MB", "BULLETIN_SEARCH_INDEX_MB"},
		{"BULLETIN_SEARCH_INDEX_MB", "0.5", "BULLETIN_SEARCH_INDEX_MB"},
		{"BULLETIN_SEARCH_INDEX_MB", "65537", "BULLETIN_SEARCH_INDEX_MB"},
		{"BULLETIN_NOTIFY_DIGEST", "30s", "BULLETIN_NOTIFY_DIGEST"},
		{"BULLETIN_NOTIFY_DIGEST", "daily", "BULLETIN_NOTIFY_DIGEST"},
	}
	for _, tc := range cases {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			_, err := load(t, map[string]string{tc.env: tc.value})
			if err == nil {
				t.Fatalf("%s=%q accepted", tc.env, tc.value)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line containing %q", msg, tc.want)
			}
		})
	}
}

func TestSMTPURLRoundTrip(t *testing.T) {
	for _, c := range []SMTP{PlainSMTP("127.0.0.1:2525"), {Host: "mail.example.org", Port: 587, Username: "me", Password: "p@ss:/", TLS: TLSStartTLS}} {
		got, err := ParseSMTPURL(c.URL())
		if err != nil || got != c {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", c.URL(), got, err, c)
		}
	}
}

// BULLETIN_SEARCH_INDEX_MB is read from the environment or its flag (which
// wins), and 0, which keeps no search index, is a valid value.
func TestSearchIndexMB(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
		want int
	}{
		{"", nil, 64},
		{"0", nil, 0},
		{"256", nil, 256},
		{"256", []string{"--search-index-mb", "8"}, 8},
		{"", []string{"--search-index-mb=0"}, 0},
	} {
		c, err := load(t, map[string]string{"BULLETIN_SEARCH_INDEX_MB": tc.env}, tc.args...)
		if err != nil {
			t.Fatalf("env %q args %v: %v", tc.env, tc.args, err)
		}
		if c.SearchIndexMB != tc.want {
			t.Errorf("env %q args %v: %d MB, want %d", tc.env, tc.args, c.SearchIndexMB, tc.want)
		}
	}
}
