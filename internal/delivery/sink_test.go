package delivery_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server (emersion/go-smtp) that counts what each
// recipient received and can be scripted to refuse or drop.
type sink struct {
	Addr string
	srv  *smtp.Server

	mu       sync.Mutex
	got      map[string]int    // messages fully received, per recipient
	rcpts    map[string]int    // RCPT commands seen, per recipient
	data     map[string][]byte // last message per recipient
	total    int
	conns    int                                      // connections opened
	open     int                                      // connections not yet closed
	mailErr  func() *smtp.SMTPError                   // refuse MAIL FROM
	rcptErr  func(rcpt string, n int) *smtp.SMTPError // n counts RCPTs for rcpt, from 1
	dropData func(rcpt string, n int) bool            // close the connection mid-DATA
	dataErr  func(rcpt string) *smtp.SMTPError        // refuse the message after reading it (content rejected)
	delay    time.Duration                            // per message, as a real server's latency
}

func newSink(t testing.TB) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{Addr: ln.Addr().String(), got: map[string]int{}, rcpts: map[string]int{}, data: map[string][]byte{}}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

func (s *sink) port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

func (s *sink) received(rcpt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[rcpt]
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// snapshot returns a copy of the per-recipient counts.
func (s *sink) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.got))
	for k, v := range s.got {
		out[k] = v
	}
	return out
}

func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	s.conns++
	s.open++
	s.mu.Unlock()
	return &sinkSession{s: s, c: c}, nil
}

// openConns is the number of connections the server holds open.
func (s *sink) openConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

type sinkSession struct {
	s      *sink
	c      *smtp.Conn
	to     []string
	closed bool
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error {
	ss.s.mu.Lock()
	script := ss.s.mailErr
	ss.s.mu.Unlock()
	if script != nil {
		if err := script(); err != nil {
			return err
		}
	}
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := ss.s
	s.mu.Lock()
	s.rcpts[to]++
	n, script := s.rcpts[to], s.rcptErr
	s.mu.Unlock()
	if script != nil {
		if err := script(to, n); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	s := ss.s
	s.mu.Lock()
	drop, refuse, delay, n := s.dropData, s.dataErr, s.delay, 0
	if len(ss.to) == 1 {
		n = s.rcpts[ss.to[0]]
	}
	s.mu.Unlock()
	if drop != nil && n > 0 && drop(ss.to[0], n) {
		_, _ = io.CopyN(io.Discard, r, 100)
		_ = ss.c.Conn().Close()
		return errors.New("dropped")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if refuse != nil && len(ss.to) == 1 {
		if err := refuse(ss.to[0]); err != nil {
			return err
		}
	}
	if delay > 0 {
		time.Sleep(delay) // simulated server latency, not synchronisation
	}
	s.mu.Lock()
	for _, to := range ss.to {
		s.got[to]++
		s.data[to] = b
		s.total++
	}
	s.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset() { ss.to = nil }
func (ss *sinkSession) Logout() error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if !ss.closed {
		ss.closed = true
		ss.s.open--
	}
	return nil
}

// readable is a received message as its recipient's client shows it: the
// header block, then each part decoded from its transfer encoding.
func readable(t testing.TB, data []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v", err)
	}
	head, _, _ := strings.Cut(string(data), "\r\n\r\n")
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	out := []string{head}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return strings.Join(out, "\n\n")
		}
		if err != nil {
			t.Fatalf("received message: %v", err)
		}
		b, err := io.ReadAll(p) // decodes quoted-printable
		if err != nil {
			t.Fatalf("received message part: %v", err)
		}
		out = append(out, string(b))
	}
}
