// Package config reads Bulletin's configuration from the environment and
// flags (flags win), fills defaults and validates everything once at start.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
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
	Roles        Roles
	TemplatesDir string
	BounceEmail  string // envelope sender; "" = the newsletter's from address
	LogLevel     string

	ArchiveCacheMB int // memory for finished archive pages per web process; 0 = no cache

	raw map[string]*string // variable name → raw value, filled by Bind
}

// Roles says which parts of the service a serve process runs.
type Roles struct{ Web, Scheduler, Sender bool }

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
	{"BULLETIN_MARK_WINDOW", "mark-window", "8", "250s per SMTP connection that may await their commit; a crash re-sends at most this + 1 per connection"},
	{"BULLETIN_DKIM_DOMAIN", "dkim-domain", "", "DKIM signing domain (d=)"},
	{"BULLETIN_DKIM_SELECTOR", "dkim-selector", "", "DKIM selector (s=)"},
	{"BULLETIN_DKIM_KEY_FILE", "dkim-key-file", "", "PEM file with the DKIM private key"},
	{"BULLETIN_ROLES", "roles", "web,scheduler,sender", "roles of serve: any of web,scheduler,sender"},
	{"BULLETIN_TEMPLATES_DIR", "templates-dir", "", "folder whose templates override the built-in ones"},
	{"BULLETIN_ARCHIVE_CACHE_MB", "archive-cache-mb", "64", "memory (MB) for finished archive pages per web process; 0 = render each request"},
	{"BULLETIN_BOUNCE_EMAIL", "bounce-email", "", "envelope sender (MAIL FROM) for bounces; default: the From address"},
	{"BULLETIN_LOG_LEVEL", "log-level", "info", "log level: debug, info, warn, error"},
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
	dkim := 0
	for _, v := range []string{c.DKIMDomain, c.DKIMSelector, c.DKIMKeyFile} {
		if v != "" {
			dkim++
		}
	}
	if dkim != 0 && dkim != 3 {
		return fmt.Errorf("BULLETIN_DKIM_DOMAIN, BULLETIN_DKIM_SELECTOR and BULLETIN_DKIM_KEY_FILE: set all three or none")
	}
	if c.ArchiveCacheMB, err = strconv.Atoi(get("BULLETIN_ARCHIVE_CACHE_MB")); err != nil || c.ArchiveCacheMB < 0 || c.ArchiveCacheMB > 65536 {
		return fmt.Errorf("BULLETIN_ARCHIVE_CACHE_MB: %q is not a whole number from 0 to 65536", get("BULLETIN_ARCHIVE_CACHE_MB"))
	}
	if c.Roles, err = ParseRoles(get("BULLETIN_ROLES")); err != nil {
		return fmt.Errorf("BULLETIN_ROLES: %v", err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("BULLETIN_LOG_LEVEL: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.TemplatesDir != "" {
		if st, err := os.Stat(c.TemplatesDir); err != nil || !st.IsDir() {
			return fmt.Errorf("BULLETIN_TEMPLATES_DIR: %q is not a readable folder", c.TemplatesDir)
		}
	}
	return nil
}

// ParseRoles parses "web,scheduler,sender" (any non-empty subset).
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
		case "":
		default:
			return r, fmt.Errorf("unknown role %q (want web, scheduler or sender)", strings.TrimSpace(p))
		}
	}
	if r == (Roles{}) {
		return r, fmt.Errorf("no role given (want any of web, scheduler, sender)")
	}
	return r, nil
}
