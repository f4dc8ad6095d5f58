package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"bulletin/internal/inbound"
	"bulletin/internal/smtp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wneessen/go-mail"
)

// inboundParts is the inbound mail wiring of one process (issue 13).
type inboundParts struct {
	addrs     inbound.Addresses
	processor *inbound.Processor
	listener  net.Listener // the demo's, opened early; nil: listen on BULLETIN_INBOUND_ADDR
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
	m.inbound = &inboundParts{addrs: inbound.Addresses{Domain: m.Config.Inbound.Domain, Secret: secret}}
	return nil
}

// startInbound adds the inbound role's services: the SMTP listener, the
// sweep of unprocessed messages and, with an IMAP URL, the poller.
func (m *Main) startInbound(reg prometheus.Registerer) {
	in := m.Config.Inbound
	p := &inbound.Processor{Store: m.DB, Addresses: m.inbound.addrs, BaseURL: m.Config.BaseURL,
		MaxBytes: in.MaxBytes, Metrics: inbound.NewMetrics(reg), Log: m.Log.With("role", "inbound")}
	// The lead wires mailin's packages here once merged:
	//   p.Contributions = contribParser{}     // contrib.Parse
	//   p.Verifier = senderVerifier{...}      // verify.Sender with AuthServID in.AuthServID
	// and, for /webhooks/ses and /webhooks/postmark, a webhook.Sink whose
	// Apply(ctx, ev) is p.ApplyEvent(ctx, inbound.Event(ev)).
	if m.Config.SMTPURL != "" {
		p.Replies = &replyMailer{mailer: &smtp.Mailer{SMTP: m.Config.SMTP}, from: "noreply@" + in.Domain}
	}
	m.inbound.processor = p
	l := &inbound.Listener{Processor: p, Domain: in.Domain, MaxBytes: in.MaxBytes, Log: p.Log}
	serve := func(ctx context.Context) error { return l.Serve(ctx, in.Addr, m.inboundReady) }
	if ln := m.inbound.listener; ln != nil {
		serve = func(ctx context.Context) error { return l.ServeListener(ctx, ln, m.inboundReady) }
	}
	m.services = append(m.services, serve,
		func(ctx context.Context) error { return p.Run(ctx, 30*time.Second) })
	if in.IMAPURL != "" {
		pl := &inbound.Poller{Processor: p, Domain: in.Domain, Log: p.Log, IMAP: inbound.IMAPConfig{
			Addr: in.IMAP.Addr, Username: in.IMAP.Username, Password: in.IMAP.Password, Mailbox: in.IMAP.Mailbox, TLS: in.IMAP.TLS}}
		m.services = append(m.services, pl.Run)
	}
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
