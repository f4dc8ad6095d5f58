// Package config reads Bulletin's configuration from the environment and
// flags (flags win), fills defaults and validates everything once at start.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration. Commands bind the parts they use.
type Config struct {
	DatabaseURL  string
	Addr         string
	BaseURL      string
	SMTPURL      string
	SMTP         SMTP // parsed from SMTPURL
	SMTPConns    int
	SendRate     float64 // messages per second per sender process, 0 = unlimited
	MarkWindow   int     // 250s per connection that may await their commit
	DKIMDomain   string
	DKIMSelector string
	DKIMKeyFile  string
	// A second, Ed25519 signature beside the first (RFC 8463): both or none.
	DKIMEd25519Selector string
	DKIMEd25519KeyFile  string
	Roles               Roles
	TemplatesDir        string
	BounceEmail         string // envelope sender; "" = the newsletter's from address
	LogLevel            string
	// ShutdownGrace bounds the drain after SIGTERM: in-flight work finishes
	// or returns to its queue within it, then the process exits.
	ShutdownGrace time.Duration
	// NotifyDigest is the least time between two digests of new
	// submissions to one editor.
	NotifyDigest time.Duration
	Webhooks     Webhooks

	TrustedProxies []netip.Prefix // BULLETIN_TRUSTED_PROXIES
	MetricsToken   string
	MetricsAddr    string  // "" = /metrics on the main address
	Inbound        Inbound // inbound.go

	SMTPIdle time.Duration // a pooled SMTP connection idle this long is closed; 0 = never

	DeliveryRetention time.Duration // retention.go: a sent issue's delivery rows are dropped this long after

	ArchiveCacheMB int // memory for finished archive pages per web process; 0 = no cache
	// SearchIndexMB bounds the estimated memory of the archive search
	// indexes per process; 0 = keep none, every search runs in SQL.
	SearchIndexMB int

	raw map[string]*string // variable name → raw value, filled by Bind
}

// Roles says which parts of the service a serve process runs.
type Roles struct{ Web, Scheduler, Sender, Inbound bool }

func (r Roles) String() string {
	var out []string
	if r.Web {
		out = append(out, "web")
	}
	if r.Scheduler {
		out = append(out, "scheduler")
	}
	if r.Sender {
		out = append(out, "sender")
	}
	if r.Inbound {
		out = append(out, "inbound")
	}
	return strings.Join(out, ",")
}

// Variable describes one environment variable, its flag and default.
type Variable struct {
	Env, Flag, Default, Usage string
}

// Variables lists every setting; README's table mirrors it.
var Variables = []Variable{
	{"DATABASE_URL", "database-url", "", "PostgreSQL connection string"},
	{"BULLETIN_ADDR", "addr", "127.0.0.1:8080", "HTTP listen address"},
	{"BULLETIN_BASE_URL", "base-url", "http://localhost:8080", "public URL used in emails and links"},
	{"BULLETIN_SMTP_URL", "smtp-url", "", "SMTP server: smtp://user:pass@host:587?tls=starttls|tls|none"},
	{"BULLETIN_SMTP_CONNS", "smtp-conns", "4", "SMTP connections per sender process"},
	{"BULLETIN_SEND_RATE", "send-rate", "0", "messages per second per sender process, 0 = unlimited"},
	{"BULLETIN_MARK_WINDOW", "mark-window", "1", "250s per SMTP connection that may await their commit; a crash re-sends at most this + 1 per connection (8: bulk, faster)"},
	{"BULLETIN_DELIVERY_RETENTION", "delivery-retention", "365d", "keep a sent issue's delivery rows this long (at least 30d, for late bounces), then keep only its counts"},
	{"BULLETIN_SMTP_IDLE", "smtp-idle", "30s", "close a pooled SMTP connection idle this long, before the server drops it (0: never)"},
	{"BULLETIN_DKIM_DOMAIN", "dkim-domain", "", "DKIM signing domain (d=)"},
	{"BULLETIN_DKIM_SELECTOR", "dkim-selector", "", "DKIM selector (s=)"},
	{"BULLETIN_DKIM_KEY_FILE", "dkim-key-file", "", "PEM file with the DKIM private key"},
	{"BULLETIN_DKIM_ED25519_SELECTOR", "dkim-ed25519-selector", "", "selector of a second, Ed25519 DKIM signature"},
	{"BULLETIN_DKIM_ED25519_KEY_FILE", "dkim-ed25519-key-file", "", "PEM file with the Ed25519 DKIM private key"},
	{"BULLETIN_WEBHOOK_POSTMARK_SECRET", "webhook-postmark-secret", "", "shared secret of /webhooks/postmark (basic-auth password or X-Bulletin-Webhook-Secret); empty: off"},
	{"BULLETIN_WEBHOOK_SES_TOPICS", "webhook-ses-topics", "", "SNS topic ARNs accepted at /webhooks/ses, comma-separated, or * for any; empty: off"},
	{"BULLETIN_TEMPLATES_DIR", "templates-dir", "", "folder whose templates override the built-in ones"},
	{"BULLETIN_ARCHIVE_CACHE_MB", "archive-cache-mb", "64", "memory (MB) for finished archive pages per web process; 0 = render each request"},
	{"BULLETIN_SEARCH_INDEX_MB", "search-index-mb", "64", "memory (MB) for the archive search indexes per process, least recently searched newsletter evicted first; a newsletter whose index alone is larger is searched in SQL; 0 = every search in SQL"},
	{"BULLETIN_BOUNCE_EMAIL", "bounce-email", "", "envelope sender (MAIL FROM) for bounces; default: the From address"},
	{"BULLETIN_LOG_LEVEL", "log-level", "info", "log level: debug, info, warn, error"},
	{"BULLETIN_NOTIFY_DIGEST", "notify-digest", "1h", "at most one email digest of new submissions per editor this often (1m–168h)"},
	{"BULLETIN_SHUTDOWN_GRACE", "shutdown-grace", "20s", "after SIGTERM, how long in-flight work may take to finish or return to its queue"},
	{"BULLETIN_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed"},
	{"BULLETIN_METRICS_TOKEN", "metrics-token", "", "bearer token GET /metrics requires (\"\" = none)"},
	{"BULLETIN_METRICS_ADDR", "metrics-addr", "", "separate listen address for /metrics, which then leaves the main address"},
	{"BULLETIN_ROLES", "roles", "", "roles of serve: any of web,scheduler,sender,inbound (default: web,scheduler,sender, and inbound when BULLETIN_INBOUND_DOMAIN is set)"},
	{"BULLETIN_INBOUND_DOMAIN", "inbound-domain", "", "domain whose mail Bulletin receives (bounces, complaints, unsubscribes, contributions); enables VERP"},
	{"BULLETIN_INBOUND_ADDR", "inbound-addr", "127.0.0.1:2526", "inbound SMTP listen address"},
	{"BULLETIN_INBOUND_MAX_BYTES", "inbound-max-bytes", "10485760", "largest inbound message accepted, in bytes"},
	{"BULLETIN_INBOUND_IMAP_URL", "inbound-imap-url", "", "mailbox to poll instead of or besides the listener: imaps://user:pass@host/INBOX or imap://…?tls=starttls|none"},
	{"BULLETIN_INBOUND_AUTHSERV_ID", "inbound-authserv-id", "", "authserv-id of the trusted MTA whose Authentication-Results dmarc=pass verifies a sender"},
}

// Bind registers a flag for each variable on fs, defaulting to the
// environment's value (getenv, usually os.Getenv) or the built-in default.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c.raw = map[string]*string{}
	for _, v := range Variables {
		def := v.Default
		if e := getenv(v.Env); e != "" {
			def = e
		}
		c.raw[v.Env] = fs.String(v.Flag, def, v.Usage+" ($"+v.Env+")")
	}
}

// Load binds, parses args and validates: the usual path for a command.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, error) {
	c := &Config{}
	c.Bind(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := c.Finish(); err != nil {
		return nil, err
	}
	return c, nil
}

// Finish converts the raw values after flag parsing and validates them.
// Each error names the variable and what is wrong with it.
func (c *Config) Finish() error {
	get := func(k string) string { return strings.TrimSpace(*c.raw[k]) }
	c.DatabaseURL = get("DATABASE_URL")
	c.Addr = get("BULLETIN_ADDR")
	c.BaseURL = strings.TrimRight(get("BULLETIN_BASE_URL"), "/")
	c.SMTPURL = get("BULLETIN_SMTP_URL")
	c.DKIMDomain = get("BULLETIN_DKIM_DOMAIN")
	c.DKIMSelector = get("BULLETIN_DKIM_SELECTOR")
	c.DKIMKeyFile = get("BULLETIN_DKIM_KEY_FILE")
	c.DKIMEd25519Selector = get("BULLETIN_DKIM_ED25519_SELECTOR")
	c.DKIMEd25519KeyFile = get("BULLETIN_DKIM_ED25519_KEY_FILE")
	c.TemplatesDir = get("BULLETIN_TEMPLATES_DIR")
	c.BounceEmail = get("BULLETIN_BOUNCE_EMAIL")
	c.LogLevel = get("BULLETIN_LOG_LEVEL")

	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("BULLETIN_ADDR: %q is not host:port: %v", c.Addr, err)
	}
	if _, err := strconv.Atoi(c.Addr[strings.LastIndex(c.Addr, ":")+1:]); err != nil {
		return fmt.Errorf("BULLETIN_ADDR: port of %q is not a number", c.Addr)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("BULLETIN_BASE_URL: %q is not an absolute http(s) URL", c.BaseURL)
	}
	if c.SMTPURL != "" {
		if c.SMTP, err = ParseSMTPURL(c.SMTPURL); err != nil {
			return fmt.Errorf("BULLETIN_SMTP_URL: %v", err)
		}
	}
	if c.SMTPConns, err = strconv.Atoi(get("BULLETIN_SMTP_CONNS")); err != nil || c.SMTPConns < 1 || c.SMTPConns > 256 {
		return fmt.Errorf("BULLETIN_SMTP_CONNS: %q is not a whole number from 1 to 256", get("BULLETIN_SMTP_CONNS"))
	}
	if c.SendRate, err = strconv.ParseFloat(get("BULLETIN_SEND_RATE"), 64); err != nil || c.SendRate < 0 {
		return fmt.Errorf("BULLETIN_SEND_RATE: %q is not a number ≥ 0", get("BULLETIN_SEND_RATE"))
	}
	if c.MarkWindow, err = strconv.Atoi(get("BULLETIN_MARK_WINDOW")); err != nil || c.MarkWindow < 0 || c.MarkWindow > 1000 {
		return fmt.Errorf("BULLETIN_MARK_WINDOW: %q is not a whole number from 0 to 1000", get("BULLETIN_MARK_WINDOW"))
	}
	if c.SMTPIdle, err = time.ParseDuration(get("BULLETIN_SMTP_IDLE")); err != nil || c.SMTPIdle < 0 || c.SMTPIdle > time.Hour {
		return fmt.Errorf("BULLETIN_SMTP_IDLE: %q is not a duration from 0s to 1h (e.g. 30s)", get("BULLETIN_SMTP_IDLE"))
	}
	dkim := 0
	for _, v := range []string{c.DKIMDomain, c.DKIMSelector, c.DKIMKeyFile} {
		if v != "" {
			dkim++
		}
	}
	if dkim != 0 && dkim != 3 {
		return fmt.Errorf("BULLETIN_DKIM_DOMAIN, BULLETIN_DKIM_SELECTOR and BULLETIN_DKIM_KEY_FILE: set all three or none")
	}
	if c.DeliveryRetention, err = parseRetention(get("BULLETIN_DELIVERY_RETENTION")); err != nil {
		return fmt.Errorf("BULLETIN_DELIVERY_RETENTION: %v", err)
	}
	if c.ArchiveCacheMB, err = strconv.Atoi(get("BULLETIN_ARCHIVE_CACHE_MB")); err != nil || c.ArchiveCacheMB < 0 || c.ArchiveCacheMB > 65536 {
		return fmt.Errorf("BULLETIN_ARCHIVE_CACHE_MB: %q is not a whole number from 0 to 65536", get("BULLETIN_ARCHIVE_CACHE_MB"))
	}
	if c.SearchIndexMB, err = strconv.Atoi(get("BULLETIN_SEARCH_INDEX_MB")); err != nil || c.SearchIndexMB < 0 || c.SearchIndexMB > 65536 {
		return fmt.Errorf("BULLETIN_SEARCH_INDEX_MB: %q is not a whole number of MB from 0 to 65536", get("BULLETIN_SEARCH_INDEX_MB"))
	}
	if (c.DKIMEd25519Selector == "") != (c.DKIMEd25519KeyFile == "") || (c.DKIMEd25519KeyFile != "" && dkim == 0) {
		return fmt.Errorf("BULLETIN_DKIM_ED25519_SELECTOR and BULLETIN_DKIM_ED25519_KEY_FILE: set both, with BULLETIN_DKIM_DOMAIN, or neither")
	}
	if c.Webhooks, err = parseWebhooks(get("BULLETIN_WEBHOOK_POSTMARK_SECRET"), get("BULLETIN_WEBHOOK_SES_TOPICS")); err != nil {
		return err
	}
	if err := c.finishInbound(get); err != nil {
		return err
	}
	roles := get("BULLETIN_ROLES")
	if roles == "" {
		roles = "web,scheduler,sender"
		if c.Inbound.Domain != "" {
			roles += ",inbound"
		}
	}
	if c.Roles, err = ParseRoles(roles); err != nil {
		return fmt.Errorf("BULLETIN_ROLES: %v", err)
	}
	if c.Roles.Inbound && c.Inbound.Domain == "" {
		return fmt.Errorf("BULLETIN_ROLES: the inbound role needs BULLETIN_INBOUND_DOMAIN")
	}
	if c.NotifyDigest, err = time.ParseDuration(get("BULLETIN_NOTIFY_DIGEST")); err != nil || c.NotifyDigest < time.Minute || c.NotifyDigest > 168*time.Hour {
		return fmt.Errorf("BULLETIN_NOTIFY_DIGEST: %q is not a duration from 1m to 168h", get("BULLETIN_NOTIFY_DIGEST"))
	}
	if c.ShutdownGrace, err = time.ParseDuration(get("BULLETIN_SHUTDOWN_GRACE")); err != nil || c.ShutdownGrace < time.Second || c.ShutdownGrace > 10*time.Minute {
		return fmt.Errorf("BULLETIN_SHUTDOWN_GRACE: %q is not a duration from 1s to 10m", get("BULLETIN_SHUTDOWN_GRACE"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("BULLETIN_LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.TrustedProxies, err = ParseCIDRs(get("BULLETIN_TRUSTED_PROXIES")); err != nil {
		return fmt.Errorf("BULLETIN_TRUSTED_PROXIES: %v", err)
	}
	c.MetricsToken = get("BULLETIN_METRICS_TOKEN")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return fmt.Errorf("BULLETIN_METRICS_TOKEN: at least 16 characters, so it cannot be guessed")
	}
	if c.MetricsAddr = get("BULLETIN_METRICS_ADDR"); c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("BULLETIN_METRICS_ADDR: %q is not host:port: %v", c.MetricsAddr, err)
		}
		if c.MetricsAddr == c.Addr {
			return fmt.Errorf("BULLETIN_METRICS_ADDR: %q is BULLETIN_ADDR; give /metrics its own address", c.MetricsAddr)
		}
	}
	if c.TemplatesDir != "" {
		if st, err := os.Stat(c.TemplatesDir); err != nil || !st.IsDir() {
			return fmt.Errorf("BULLETIN_TEMPLATES_DIR: %q is not a readable folder", c.TemplatesDir)
		}
	}
	return nil
}

// ParseCIDRs parses comma-separated CIDRs; a bare address is one host.
func ParseCIDRs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", p)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pf, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", p)
		}
		out = append(out, pf.Masked())
	}
	return out, nil
}

// ParseRoles parses "web,scheduler,sender,inbound" (any non-empty subset).
func ParseRoles(s string) (Roles, error) {
	var r Roles
	for _, p := range strings.Split(s, ",") {
		switch strings.TrimSpace(p) {
		case "web":
			r.Web = true
		case "scheduler":
			r.Scheduler = true
		case "sender":
			r.Sender = true
		case "inbound":
			r.Inbound = true
		case "":
		default:
			return r, fmt.Errorf("unknown role %q (want web, scheduler, sender or inbound)", strings.TrimSpace(p))
		}
	}
	if r == (Roles{}) {
		return r, fmt.Errorf("no role given (want any of web, scheduler, sender, inbound)")
	}
	return r, nil
}
