package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// Listener is the inbound SMTP server: it accepts mail for addresses at
// the inbound domain only, up to the size cap, and answers 250 only once
// the message is stored.
type Listener struct {
	Processor *Processor
	Domain    string
	MaxBytes  int // DefaultMaxBytes when 0
	Log       *slog.Logger
}

// Serve listens on addr until ctx is done. ready, when not nil, receives
// the listening address once.
func (l *Listener) Serve(ctx context.Context, addr string, ready func(addr string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on BULLETIN_INBOUND_ADDR %s: %w", addr, err)
	}
	return l.ServeListener(ctx, ln, ready)
}

// ServeListener serves on ln until ctx is done.
func (l *Listener) ServeListener(ctx context.Context, ln net.Listener, ready func(addr string)) error {
	max := l.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	srv := smtp.NewServer(&backend{l: l, ctx: ctx})
	srv.Domain = l.Domain
	srv.MaxMessageBytes = int64(max)
	srv.MaxRecipients = 100
	// Real mail breaks RFC 5322's 998-character lines (HTML, long
	// headers); refusing it would lose bounces and contributions.
	srv.MaxLineLength = 1 << 20
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	l.log().Info("inbound smtp listening", "addr", ln.Addr().String(), "domain", l.Domain, "max_bytes", max)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		if errors.Is(err, smtp.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("inbound smtp: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	return nil
}

func (l *Listener) log() *slog.Logger {
	if l.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Log
}

type backend struct {
	l   *Listener
	ctx context.Context
}

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

type session struct {
	b    *backend
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.to = from, nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	at := strings.LastIndexByte(to, '@')
	if at < 0 || !strings.EqualFold(to[at+1:], s.b.l.Domain) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: "no such recipient here: only mail for " + s.b.l.Domain + " is accepted"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se // go-smtp's 552 for a message over the cap
		}
		return err
	}
	for _, to := range s.to {
		if _, err := s.b.l.Processor.Receive(s.b.ctx, SourceSMTP, Envelope{MailFrom: s.from, RcptTo: to}, raw); err != nil {
			s.b.l.log().Error("inbound: store message", "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot store the message now, try again later"}
		}
	}
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
