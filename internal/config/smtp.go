package config

import (
	"fmt"
	"net/url"
	"strconv"
)

// TLS modes of BULLETIN_SMTP_URL.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// SMTP is a parsed BULLETIN_SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // starttls, tls or none
}

// ParseSMTPURL parses smtp://user:pass@host:port?tls=starttls|tls|none.
// The port defaults by TLS mode: 587, 465, or 25.
func ParseSMTPURL(s string) (SMTP, error) {
	var c SMTP
	u, err := url.Parse(s)
	if err != nil {
		return c, fmt.Errorf("not a URL: %v", err)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return c, fmt.Errorf("scheme %q: want smtp://", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, fmt.Errorf("no host in %q", s)
	}
	c.TLS = u.Query().Get("tls")
	if c.TLS == "" {
		c.TLS = TLSStartTLS
		if u.Scheme == "smtps" {
			c.TLS = TLSImplicit
		}
	}
	switch c.TLS {
	case TLSStartTLS:
		c.Port = 587
	case TLSImplicit:
		c.Port = 465
	case TLSNone:
		c.Port = 25
	default:
		return c, fmt.Errorf("tls=%q: want starttls, tls or none", c.TLS)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
		c.Port = n
	}
	for k := range u.Query() {
		if k != "tls" {
			return c, fmt.Errorf("unknown parameter %q (only tls= is known)", k)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}
