package config

import (
	"fmt"
	"net"
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

// PlainSMTP describes the server at addr (host:port) with no TLS and no
// login: the built-in capture, a local relay, the tests' sinks.
func PlainSMTP(addr string) SMTP {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return SMTP{Host: host, Port: p, TLS: TLSNone}
}

// URL is c as a BULLETIN_SMTP_URL; ParseSMTPURL(c.URL()) gives c back.
func (c SMTP) URL() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), RawQuery: "tls=" + c.TLS}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, c.Password)
	}
	return u.String()
}
