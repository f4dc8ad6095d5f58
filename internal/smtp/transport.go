package smtp

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"time"

	"bulletin/internal/config"
	"bulletin/internal/delivery"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Transport is the delivery pool's SMTP side: each Dial is one long-lived
// connection owned by one worker.
type Transport struct {
	SMTP     config.SMTP
	Options  Options
	Envelope string // envelope sender (bounce address); "" = the From address
	DKIM     *DKIM  // nil: no signature
}

// Dial opens one connection. go-mail dials, negotiates TLS and
// authenticates; the connection then sends messages already encoded by
// Prepare, so go-mail's per-message MIME encoding is skipped.
func (t *Transport) Dial(ctx context.Context) (delivery.Conn, error) {
	cl, err := NewClient(t.SMTP, t.Options)
	if err != nil {
		return nil, err
	}
	sc, err := cl.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, &ReplyError{Err: fmt.Errorf("smtp dial %s:%d: %w", t.SMTP.Host, t.SMTP.Port, err)}
	}
	return &conn{t: t, cl: cl, sc: sc, timeout: timeout(t.Options)}, nil
}

type conn struct {
	t       *Transport
	cl      *gomail.Client
	sc      *gosmtp.Client
	timeout time.Duration
	buf     []byte // the message being sent, reused
}

// Send sends one message: MAIL, RCPT and DATA, with the connection's
// deadline renewed first so that a long-lived connection never runs into
// one set at dial time.
func (c *conn) Send(p delivery.Prepared, r *delivery.Recipient) (string, error) {
	l, ok := p.(*letter)
	if !ok {
		return "", fmt.Errorf("smtp send: %T was not prepared by this transport", p)
	}
	if err := checkRecipient(r); err != nil {
		return "", err
	}
	c.buf = l.appendTo(c.buf[:0], r)
	sig, err := l.signatures(c.buf, r)
	if err != nil {
		return "", err
	}
	if err := c.sc.UpdateDeadline(c.timeout); err != nil {
		return "", &ReplyError{Err: err, BeforeMessage: true}
	}
	// Messages are 7-bit (encoded headers, quoted-printable bodies); only
	// an address with a UTF-8 local part needs SMTPUTF8, and declaring it
	// otherwise could get the message refused by a relay that lacks it.
	envelope := l.envelope
	if r.Envelope != "" {
		envelope = r.Envelope
	}
	c.sc.SkipSMTPUTF8(isASCII(envelope) && isASCII(r.To))
	if err := c.sc.Mail(envelope); err != nil {
		// The first command of this message: whatever went wrong, the
		// server has nothing of it, so a dead connection is only that.
		re := c.refused(err)
		re.BeforeMessage = true
		return "", re
	}
	if err := c.sc.Rcpt(r.To); err != nil {
		return "", c.refused(err)
	}
	w, err := c.sc.Data()
	if err != nil {
		return "", c.refused(err)
	}
	if err := writeData(c.sc.Text.W, w, []byte(sig), c.buf); err != nil {
		return "", replyError(err)
	}
	if r.BeforeEnd != nil {
		// The end of the data is the point after which the server may
		// have the message; the caller may wait here (for a commit), so
		// the deadline is renewed after it.
		r.BeforeEnd()
		if err := c.sc.UpdateDeadline(c.timeout); err != nil {
			return "", &ReplyError{Err: err}
		}
	}
	if err := w.Close(); err != nil {
		return "", replyError(err)
	}
	// The code is 250 by definition; go-mail keeps the text after it.
	if dc, ok := w.(*gosmtp.DataCloser); ok {
		return "250 " + dc.ServerResponse(), nil
	}
	return "250", nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// refused resets the transaction after a refused command, so that the
// connection can carry the next message. Should the reset fail, the
// connection is broken and the next Send reports that.
func (c *conn) refused(err error) *ReplyError {
	_ = c.sc.Reset()
	return replyError(err)
}

func (c *conn) Close() error { return c.cl.CloseWithSMTPClient(c.sc) }

// ReplyError carries the SMTP reply code of a failed send; Code 0 means the
// connection failed rather than the server refusing.
type ReplyError struct {
	Code     int
	Enhanced string
	Err      error
	// BeforeMessage: the send failed at its first command (MAIL), so
	// nothing of the message reached the server.
	BeforeMessage bool
}

func (e *ReplyError) Error() string        { return e.Err.Error() }
func (e *ReplyError) Unwrap() error        { return e.Err }
func (e *ReplyError) ReplyCode() int       { return e.Code }
func (e *ReplyError) EnhancedCode() string { return e.Enhanced }

// FailedBeforeMessage reports whether nothing of the message reached the
// server (see BeforeMessage).
func (e *ReplyError) FailedBeforeMessage() bool { return e.BeforeMessage }

var enhancedCode = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

// replyError classifies err: a server reply (go-mail's SMTP client returns
// textproto errors for those) keeps its code and enhanced status code;
// anything else is a transport failure.
func replyError(err error) *ReplyError {
	var te *textproto.Error
	if errors.As(err, &te) {
		return &ReplyError{Code: te.Code, Enhanced: enhancedCode.FindString(te.Msg), Err: err}
	}
	return &ReplyError{Err: err}
}
