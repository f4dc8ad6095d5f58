package delivery_test

import (
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// fastSink is the benchmark's SMTP server: go-smtp reading every message
// to the end and keeping only a count and the time of the first one.
type fastSink struct {
	Addr  string
	n     atomic.Int64
	first atomic.Int64 // unix nanos of the first message
	want  int64
	done  chan struct{}
	once  sync.Once
}

func newFastSink(b testing.TB) *fastSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &fastSink{Addr: ln.Addr().String(), done: make(chan struct{})}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.MaxMessageBytes = 10 << 20
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return s
}

// expect resets the counters and arms done for n messages.
func (s *fastSink) expect(n int) {
	s.n.Store(0)
	s.first.Store(0)
	s.want = int64(n)
	s.done = make(chan struct{})
	s.once = sync.Once{}
}

func (s *fastSink) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

func (s *fastSink) NewSession(*smtp.Conn) (smtp.Session, error) { return fastSession{s}, nil }

type fastSession struct{ s *fastSink }

func (fastSession) Mail(string, *smtp.MailOptions) error { return nil }
func (fastSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (fastSession) Reset()                               {}
func (fastSession) Logout() error                        { return nil }

func (f fastSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s := f.s
	s.first.CompareAndSwap(0, time.Now().UnixNano())
	if s.n.Add(1) == s.want {
		s.once.Do(func() { close(s.done) })
	}
	return nil
}
