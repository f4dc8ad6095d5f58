package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"bulletin/internal/inbound"
	"bulletin/internal/postgres"
	"bulletin/internal/smtp"
	"bulletin/internal/web"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wneessen/go-mail"
)

// inboundParts is the inbound mail wiring of one process (issue 13).
type inboundParts struct {
	addrs     inbound.Addresses
	processor *inbound.Processor
	listener  net.Listener // the demo's, opened early; nil: listen on BULLETIN_INBOUND_ADDR
	// The contribution parser and sender verification
	// (internal/inbound/contrib and verify, inbound_wire.go).
	contributions inbound.ContributionParser
	verifier      inbound.SenderVerifier
}

// prepareInbound reads the VERP secret when an inbound domain is set, so
// that the sender's envelope and mailto addresses can be made; the
// inbound role's services come later, in startInbound.
func (m *Main) prepareInbound() error {
	if m.Config.Inbound.Domain == "" || m.inbound != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	secret, err := m.DB.AppSecret(ctx, "verp")
	if err != nil {
		return err
	}
	m.inbound = &inboundParts{addrs: inbound.Addresses{Domain: m.Config.Inbound.Domain, Secret: secret},
		contributions: contribParser{}, verifier: senderVerifier{authServID: m.Config.Inbound.AuthServID}}
	return nil
}

// startInbound adds the inbound role's services: the SMTP listener, the
// sweep of unprocessed messages and, with an IMAP URL, the poller.
func (m *Main) startInbound(reg prometheus.Registerer) {
	in := m.Config.Inbound
	p := m.newProcessor(inbound.NewMetrics(reg))
	m.inbound.processor = p
	l := &inbound.Listener{Processor: p, Domain: in.Domain, MaxBytes: in.MaxBytes, Log: p.Log}
	serve := func(ctx context.Context) error { return l.Serve(ctx, in.Addr, m.inboundReady) }
	if ln := m.inbound.listener; ln != nil {
		serve = func(ctx context.Context) error { return l.ServeListener(ctx, ln, m.inboundReady) }
	}
	m.add("inbound-smtp", serve)
	m.add("inbound-sweep", p.Run)
	if in.IMAPURL != "" {
		pl := &inbound.Poller{Processor: p, Domain: in.Domain, Log: p.Log, IMAP: inbound.IMAPConfig{
			Addr: in.IMAP.Addr, Username: in.IMAP.Username, Password: in.IMAP.Password, Mailbox: in.IMAP.Mailbox, TLS: in.IMAP.TLS}}
		m.add("inbound-imap", pl.Run)
	}
}

// newProcessor builds the inbound processor of this process.
func (m *Main) newProcessor(metrics *inbound.Metrics) *inbound.Processor {
	in := m.Config.Inbound
	p := &inbound.Processor{Store: m.DB, Addresses: m.inbound.addrs, BaseURL: m.Config.BaseURL,
		MaxBytes: in.MaxBytes, Metrics: metrics, Log: m.Log.With("role", "inbound"),
		Contributions: m.inbound.contributions, Verifier: m.inbound.verifier}
	if m.Config.SMTPURL != "" {
		p.Replies = &replyMailer{mailer: &smtp.Mailer{SMTP: m.Config.SMTP}, from: "noreply@" + in.Domain}
	}
	return p
}

// inboundPages gives the admin UI its Inbound page, when there is an
// inbound domain; processing again runs in the web process.
func (m *Main) inboundPages() web.InboundPages {
	if m.inbound == nil {
		return nil
	}
	p := m.inbound.processor
	if p == nil {
		p = m.newProcessor(nil)
	}
	return &inboundPages{DB: m.DB, p: p}
}

// inboundPages joins the store and the processor for the admin UI.
type inboundPages struct {
	*postgres.DB
	p *inbound.Processor
}

func (a *inboundPages) ProcessInboundAgain(ctx context.Context, id int64) error {
	return a.p.ProcessAgain(ctx, id, a.ReprocessInbound)
}

func (a *inboundPages) MakeInboundItem(ctx context.Context, id int64) (int64, error) {
	return a.p.MakeItem(ctx, id, a.DB)
}

// inboundReady records the listener's address once it listens.
func (m *Main) inboundReady(addr string) {
	m.InboundAddr = addr
	if m.inboundUp != nil {
		close(m.inboundUp)
	}
}

// replyMailer sends the processor's automatic replies through the
// transactional mail path, marked as automatic (RFC 3834).
type replyMailer struct {
	mailer *smtp.Mailer
	from   string
}

func (r *replyMailer) SendReply(ctx context.Context, rep inbound.Reply) error {
	msg := mail.NewMsg()
	if err := msg.From(r.from); err != nil {
		return fmt.Errorf("reply from: %w", err)
	}
	if err := msg.To(rep.To); err != nil {
		return fmt.Errorf("reply to %q: %w", rep.To, err)
	}
	msg.Subject(rep.Subject)
	msg.SetGenHeader("Auto-Submitted", "auto-replied")
	msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	if rep.InReplyTo != "" {
		msg.SetGenHeader("In-Reply-To", rep.InReplyTo)
		msg.SetGenHeader("References", rep.InReplyTo)
	}
	msg.SetBodyString(mail.TypeTextPlain, rep.Text)
	return r.mailer.Send(ctx, msg)
}
