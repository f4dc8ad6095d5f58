package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Inbound is the inbound mail configuration (issue 13).
type Inbound struct {
	Domain     string // lower case; "" = no inbound mail, no VERP
	Addr       string // SMTP listener
	MaxBytes   int
	IMAPURL    string
	IMAP       IMAP // parsed from IMAPURL when set
	AuthServID string
}

// IMAP is a parsed BULLETIN_INBOUND_IMAP_URL.
type IMAP struct {
	Addr     string // host:port
	Username string
	Password string
	Mailbox  string
	TLS      string // tls (imaps), starttls or none
}

var domainName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

func (c *Config) finishInbound(get func(string) string) error {
	in := &c.Inbound
	in.Domain = strings.ToLower(get("BULLETIN_INBOUND_DOMAIN"))
	in.Addr = get("BULLETIN_INBOUND_ADDR")
	in.IMAPURL = get("BULLETIN_INBOUND_IMAP_URL")
	in.AuthServID = get("BULLETIN_INBOUND_AUTHSERV_ID")
	if in.Domain != "" && (!domainName.MatchString(in.Domain) || len(in.Domain) > 200) {
		return fmt.Errorf("BULLETIN_INBOUND_DOMAIN: %q is not a domain name like bounces.example.org", in.Domain)
	}
	if _, p, err := net.SplitHostPort(in.Addr); err != nil {
		return fmt.Errorf("BULLETIN_INBOUND_ADDR: %q is not host:port: %v", in.Addr, err)
	} else if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("BULLETIN_INBOUND_ADDR: port of %q is not a number from 0 to 65535", in.Addr)
	}
	var err error
	if in.MaxBytes, err = strconv.Atoi(get("BULLETIN_INBOUND_MAX_BYTES")); err != nil || in.MaxBytes < 1024 || in.MaxBytes > 1<<30 {
		return fmt.Errorf("BULLETIN_INBOUND_MAX_BYTES: %q is not a whole number of bytes from 1024 to 1073741824", get("BULLETIN_INBOUND_MAX_BYTES"))
	}
	if strings.ContainsAny(in.AuthServID, " \t;") {
		return fmt.Errorf("BULLETIN_INBOUND_AUTHSERV_ID: %q holds a space or ';', which an authserv-id cannot", in.AuthServID)
	}
	if in.IMAPURL != "" {
		if in.Domain == "" {
			return fmt.Errorf("BULLETIN_INBOUND_IMAP_URL: set BULLETIN_INBOUND_DOMAIN too (the domain the polled mail is addressed to)")
		}
		if in.IMAP, err = ParseIMAPURL(in.IMAPURL); err != nil {
			return fmt.Errorf("BULLETIN_INBOUND_IMAP_URL: %v", err)
		}
	}
	return nil
}

// ParseIMAPURL parses imaps://user:pass@host[:993]/MAILBOX or
// imap://user:pass@host[:143]/MAILBOX?tls=starttls|none. The mailbox
// defaults to INBOX; imap:// defaults to STARTTLS.
func ParseIMAPURL(s string) (IMAP, error) {
	var c IMAP
	u, err := url.Parse(s)
	if err != nil {
		return c, fmt.Errorf("not a URL: %v", err)
	}
	port := ""
	switch u.Scheme {
	case "imaps":
		c.TLS, port = TLSImplicit, "993"
		if u.Query().Get("tls") != "" {
			return c, fmt.Errorf("imaps:// is always TLS; drop tls=%q", u.Query().Get("tls"))
		}
	case "imap":
		c.TLS, port = TLSStartTLS, "143"
		switch t := u.Query().Get("tls"); t {
		case "", TLSStartTLS:
		case TLSNone:
			c.TLS = TLSNone
		default:
			return c, fmt.Errorf("tls=%q is not starttls or none", t)
		}
	default:
		return c, fmt.Errorf("scheme %q is not imap or imaps", u.Scheme)
	}
	if u.Hostname() == "" {
		return c, fmt.Errorf("no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("port %q is not a number from 1 to 65535", p)
		}
		port = p
	}
	c.Addr = net.JoinHostPort(u.Hostname(), port)
	c.Username = u.User.Username()
	c.Password, _ = u.User.Password()
	if c.Username == "" || c.Password == "" {
		return c, fmt.Errorf("a user name and password are required (imaps://user:pass@host/INBOX)")
	}
	c.Mailbox = strings.TrimPrefix(u.Path, "/")
	if c.Mailbox == "" {
		c.Mailbox = "INBOX"
	}
	return c, nil
}
