// Package capture is the built-in SMTP server for the demo and development:
// a real SMTP server (emersion/go-smtp) on loopback that accepts every
// message and keeps it, so what Bulletin "sent" can be read back.
package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"time"

	"github.com/emersion/go-smtp"
)

// MaxMessageBytes is the largest message the capture accepts.
const MaxMessageBytes = 10 << 20

// Message is one captured message.
type Message struct {
	ID         int64     `json:"id" db:"id"`
	From       string    `json:"from" db:"mail_from"`
	To         []string  `json:"to" db:"rcpt_to"`
	Subject    string    `json:"subject" db:"subject"`
	Data       []byte    `json:"-" db:"data"`
	ReceivedAt time.Time `json:"received_at" db:"received_at"`
}

// Store keeps captured messages.
type Store interface {
	SaveCapturedMessage(ctx context.Context, m *Message) error
}

// Server is a running capture.
type Server struct {
	Addr string // host:port it listens on
	srv  *smtp.Server
	log  *slog.Logger
}

// Start listens on addr ("127.0.0.1:0" for any free port) and serves until
// Close.
func Start(addr string, store Store, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("capture: listen: %w", err)
	}
	s := &Server{Addr: ln.Addr().String(), log: log}
	s.srv = smtp.NewServer(&backend{store: store, log: log})
	s.srv.Domain = "localhost"
	s.srv.MaxMessageBytes = MaxMessageBytes
	s.srv.MaxRecipients = 1000
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.AllowInsecureAuth = true
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			log.Error("capture: serve", "err", err)
		}
	}()
	return s, nil
}

// Close stops accepting and closes open sessions.
func (s *Server) Close() error { return s.srv.Close() }

type backend struct {
	store Store
	log   *slog.Logger
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b}, nil
}

type session struct {
	b    *backend
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp answers 552 when the size limit is passed
	}
	m := &Message{From: s.from, To: s.to, Data: data}
	if msg, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		dec := new(mime.WordDecoder)
		if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
			m.Subject = subj
		}
	}
	if err := s.b.store.SaveCapturedMessage(context.Background(), m); err != nil {
		s.b.log.Error("capture: save message", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot store the message now"}
	}
	s.to = nil
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
