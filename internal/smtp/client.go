// Package smtp adapts github.com/wneessen/go-mail to Bulletin: clients built
// from BULLETIN_SMTP_URL, and a one-off mailer for single messages such as
// confirmation emails and test sends.
package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"bulletin/internal/config"

	"github.com/wneessen/go-mail"
)

// Options tune a client beyond what the URL says.
type Options struct {
	Timeout   time.Duration // per SMTP command; default 30 s
	TLSConfig *tls.Config   // tests pass their own CA here
}

// NewClient returns a configured, not yet connected go-mail client.
func NewClient(c config.SMTP, o Options) (*mail.Client, error) {
	opts := []mail.Option{
		mail.WithPort(c.Port),
		mail.WithTimeout(timeout(o)),
		// One Send per message refreshes the deadline, so the extra NOOP
		// and RSET round trips buy nothing (research §1.1).
		mail.WithoutNoop(),
		mail.WithoutRset(),
	}
	switch c.TLS {
	case config.TLSImplicit:
		opts = append(opts, mail.WithSSL())
	case config.TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if o.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(o.TLSConfig))
	}
	if c.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if c.TLS == config.TLSNone {
			// PLAIN refuses to run unencrypted except to localhost; an
			// operator who asked for tls=none with credentials gets PLAIN.
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	cl, err := mail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return cl, nil
}

func timeout(o Options) time.Duration {
	if o.Timeout == 0 {
		return 30 * time.Second
	}
	return o.Timeout
}

// Mailer sends single messages, one connection each: for confirmation
// emails and test sends, not for issues (the delivery pool does those).
type Mailer struct {
	SMTP    config.SMTP
	Options Options
}

// Send dials, sends m and closes.
func (ml *Mailer) Send(ctx context.Context, m *mail.Msg) error {
	cl, err := NewClient(ml.SMTP, ml.Options)
	if err != nil {
		return err
	}
	if err := cl.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}
