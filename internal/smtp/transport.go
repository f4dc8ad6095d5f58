package smtp

import (
	"context"
	"errors"
	"fmt"

	"bulletin/internal/config"
	"bulletin/internal/delivery"

	gomail "github.com/wneessen/go-mail"
)

// Transport is the delivery pool's SMTP side: each Dial is one long-lived
// connection owned by one worker.
type Transport struct {
	SMTP     config.SMTP
	Options  Options
	Envelope string // envelope sender (bounce address); "" = the From address
	DKIM     *DKIM  // nil: no signature
}

// Check validates a message's header-bound fields.
func (t *Transport) Check(m *delivery.Message) error { return Check(m) }

// Dial opens one connection.
func (t *Transport) Dial(ctx context.Context) (delivery.Conn, error) {
	cl, err := NewClient(t.SMTP, t.Options)
	if err != nil {
		return nil, err
	}
	if err := cl.DialWithContext(ctx); err != nil {
		return nil, &ReplyError{Err: fmt.Errorf("smtp dial %s:%d: %w", t.SMTP.Host, t.SMTP.Port, err)}
	}
	return &conn{t: t, cl: cl}, nil
}

type conn struct {
	t  *Transport
	cl *gomail.Client
}

// Send sends one message: one go-mail Send per message keeps its deadline
// fresh (research §1.1).
func (c *conn) Send(m *delivery.Message) (string, error) {
	msg, err := Build(m, c.t.Envelope)
	if err != nil {
		return "", err
	}
	if c.t.DKIM != nil {
		if err := c.t.DKIM.Sign(msg); err != nil {
			return "", err
		}
	}
	if err := c.cl.Send(msg); err != nil {
		return "", replyError(err)
	}
	// go-mail keeps the text after the code; the code is 250 by definition.
	return "250 " + msg.ServerResponse(), nil
}

func (c *conn) Close() error { return c.cl.Close() }

// ReplyError carries the SMTP reply code of a failed send; Code 0 means the
// connection failed (go-mail's IsTemp is false then, so never use it).
type ReplyError struct {
	Code     int
	Enhanced string
	Err      error
}

func (e *ReplyError) Error() string        { return e.Err.Error() }
func (e *ReplyError) Unwrap() error        { return e.Err }
func (e *ReplyError) ReplyCode() int       { return e.Code }
func (e *ReplyError) EnhancedCode() string { return e.Enhanced }

func replyError(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return &ReplyError{Code: se.ErrorCode(), Enhanced: se.EnhancedStatusCode(), Err: err}
	}
	return &ReplyError{Err: err}
}
