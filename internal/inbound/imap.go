package inbound

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"
)

// IMAPConfig says which mailbox to poll.
type IMAPConfig struct {
	Addr, Username, Password, Mailbox string
	TLS                               string // tls, starttls or none
	TLSConfig                         *tls.Config
}

// Poller fetches unseen messages from a mailbox, for organisations that
// cannot point mail at the listener. Each message is marked seen only
// after it is stored: a crash in between fetches it again, and the dedupe
// key makes that second copy change nothing.
type Poller struct {
	Processor *Processor
	IMAP      IMAPConfig
	Domain    string
	Interval  time.Duration // between polls; a minute when 0
	Log       *slog.Logger

	afterStore func(uid uint32) bool // tests: false stops before the mark, as a crash would
}

// pollBatch bounds the messages one poll takes.
const pollBatch = 100

// Run polls until ctx is done. A failed poll is logged and tried again at
// the next interval.
func (p *Poller) Run(ctx context.Context) error {
	interval := p.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := p.Poll(ctx); err != nil && ctx.Err() == nil {
			p.log().Error("imap poll", "mailbox", p.IMAP.Mailbox, "err", err)
		} else if n > 0 {
			p.log().Info("imap poll", "mailbox", p.IMAP.Mailbox, "stored", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll takes the unseen messages once and returns how many it stored.
func (p *Poller) Poll(ctx context.Context) (int, error) {
	c, err := p.dial()
	if err != nil {
		return 0, err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.Terminate() })
	defer stop()
	defer c.Logout()
	if err := c.Login(p.IMAP.Username, p.IMAP.Password); err != nil {
		return 0, fmt.Errorf("imap login as %s: %w", p.IMAP.Username, err)
	}
	if _, err := c.Select(p.IMAP.Mailbox, false); err != nil {
		return 0, fmt.Errorf("imap select %s: %w", p.IMAP.Mailbox, err)
	}
	crit := imap.NewSearchCriteria()
	crit.WithoutFlags = []string{imap.SeenFlag, imap.DeletedFlag}
	uids, err := c.UidSearch(crit)
	if err != nil {
		return 0, fmt.Errorf("imap search: %w", err)
	}
	if len(uids) > pollBatch {
		uids = uids[:pollBatch]
	}
	n := 0
	for _, uid := range uids {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		raw, err := fetch(c, uid)
		if err != nil {
			return n, err
		}
		if _, err := p.Processor.Receive(ctx, SourceIMAP, p.envelope(raw), raw); err != nil {
			return n, fmt.Errorf("imap message %d: %w", uid, err) // left unseen, for the next poll
		}
		n++
		if p.afterStore != nil && !p.afterStore(uid) {
			return n, nil
		}
		set := new(imap.SeqSet)
		set.AddNum(uid)
		if err := c.UidStore(set, imap.FormatFlagsOp(imap.AddFlags, true), []any{imap.SeenFlag}, nil); err != nil {
			return n, fmt.Errorf("imap mark %d seen: %w", uid, err)
		}
	}
	return n, nil
}

func (p *Poller) dial() (*client.Client, error) {
	cfg := p.IMAP.TLSConfig
	if cfg == nil {
		host, _, _ := net.SplitHostPort(p.IMAP.Addr)
		cfg = &tls.Config{ServerName: host}
	}
	var c *client.Client
	var err error
	if p.IMAP.TLS == "tls" {
		c, err = client.DialTLS(p.IMAP.Addr, cfg)
	} else {
		c, err = client.Dial(p.IMAP.Addr)
	}
	if err != nil {
		return nil, fmt.Errorf("imap dial %s: %w", p.IMAP.Addr, err)
	}
	c.Timeout = time.Minute
	if p.IMAP.TLS == "starttls" {
		if err := c.StartTLS(cfg); err != nil {
			_ = c.Logout()
			return nil, fmt.Errorf("imap starttls %s: %w", p.IMAP.Addr, err)
		}
	}
	return c, nil
}

// fetch reads one message whole without setting \Seen (BODY.PEEK[]).
func fetch(c *client.Client, uid uint32) ([]byte, error) {
	set := new(imap.SeqSet)
	set.AddNum(uid)
	section := &imap.BodySectionName{Peek: true}
	ch := make(chan *imap.Message, 1)
	done := make(chan error, 1)
	go func() { done <- c.UidFetch(set, []imap.FetchItem{section.FetchItem()}, ch) }()
	var raw []byte
	for m := range ch {
		if body := m.GetBody(section); body != nil {
			b, err := io.ReadAll(body)
			if err != nil {
				return nil, fmt.Errorf("imap read %d: %w", uid, err)
			}
			raw = b
		}
	}
	if err := <-done; err != nil {
		return nil, fmt.Errorf("imap fetch %d: %w", uid, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("imap fetch %d: no body", uid)
	}
	return raw, nil
}

// envelope recovers what SMTP said from the headers the delivering MTA
// added: Return-Path for the sender, and the first of Delivered-To,
// X-Original-To, Envelope-To, To and Cc at the inbound domain for the
// recipient.
func (p *Poller) envelope(raw []byte) Envelope {
	var env Envelope
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return env
	}
	if rp := m.Header.Get("Return-Path"); rp != "" {
		env.MailFrom = addressOf(rp)
	} else {
		env.MailFrom = addressOf(m.Header.Get("From"))
	}
	for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc"} {
		for _, v := range m.Header[k] {
			list, err := mail.ParseAddressList(v)
			if err != nil {
				if a := addressOf(v); a != "" {
					list = []*mail.Address{{Address: a}}
				}
			}
			for _, a := range list {
				if domainIs(a.Address, p.Domain) {
					env.RcptTo = a.Address
					return env
				}
			}
		}
	}
	return env
}

func (p *Poller) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}
