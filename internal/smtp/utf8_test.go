package smtp_test

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"bulletin/internal/config"
	"bulletin/internal/smtp"

	gosmtp "github.com/emersion/go-smtp"
)

// utf8Server is a go-smtp server that offers SMTPUTF8 and records, per
// recipient, whether MAIL FROM asked for it.
type utf8Server struct {
	mu    sync.Mutex
	asked map[string]bool
}

func (u *utf8Server) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &utf8Session{u: u}, nil }

type utf8Session struct {
	u    *utf8Server
	utf8 bool
}

func (s *utf8Session) Mail(_ string, o *gosmtp.MailOptions) error {
	s.utf8 = o != nil && o.UTF8
	return nil
}
func (s *utf8Session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.u.mu.Lock()
	s.u.asked[to] = s.utf8
	s.u.mu.Unlock()
	return nil
}
func (s *utf8Session) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
func (s *utf8Session) Reset()                 {}
func (s *utf8Session) Logout() error          { return nil }

// SMTPUTF8 is declared only for a message that needs it: an address with a
// UTF-8 local part. Declaring it for plain ASCII mail could get the message
// refused by a relay that does not offer it.
func TestSMTPUTF8OnlyWhenAnAddressNeedsIt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &utf8Server{asked: map[string]bool{}}
	srv := gosmtp.NewServer(u)
	srv.Domain, srv.EnableSMTPUTF8 = "localhost", true
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	tr := &smtp.Transport{SMTP: config.SMTP{Host: "127.0.0.1", Port: p, TLS: config.TLSNone}}

	for _, to := range []string{"ann@example.net", "josé@example.net"} {
		r := recipient()
		r.To = to
		if _, err := send(t, tr, letter(), r); err != nil {
			t.Fatalf("send to %s: %v", to, err)
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if asked, ok := u.asked["ann@example.net"]; !ok || asked {
		t.Errorf("ASCII recipient: SMTPUTF8 asked %v (received %v), want not asked", asked, ok)
	}
	if asked, ok := u.asked["josé@example.net"]; !ok || !asked {
		t.Errorf("UTF-8 recipient: SMTPUTF8 asked %v (received %v), want asked", asked, ok)
	}
}
