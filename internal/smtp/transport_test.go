package smtp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/delivery"
	"bulletin/internal/smtp"

	"github.com/emersion/go-msgauth/dkim"
)

// memStore keeps what the capture server receives.
type memStore struct {
	mu   sync.Mutex
	msgs []capture.Message
}

func (s *memStore) SaveCapturedMessage(_ context.Context, m *capture.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, *m)
	return nil
}

func (s *memStore) all() []capture.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]capture.Message(nil), s.msgs...)
}

// server starts the built-in capture (a real go-smtp server) on a free port.
func server(t *testing.T) (*memStore, config.SMTP) {
	t.Helper()
	st := &memStore{}
	srv, err := capture.Start("127.0.0.1:0", st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return st, config.PlainSMTP(srv.Addr)
}

func letter() *delivery.Letter {
	return &delivery.Letter{
		FromName: "The Editors", FromEmail: "news@example.org", ReplyTo: "editors@example.org",
		Subject:    "Weekly update 61: highlights",
		HTML:       "<p>Hello " + bulletin.PlaceholderName + ` <a href="` + bulletin.PlaceholderUnsubscribeURL + `">leave</a></p>`,
		Text:       "Hello " + bulletin.PlaceholderName + "\nLeave: " + bulletin.PlaceholderUnsubscribeURL + "\n",
		ListID:     "Weekly update <weekly.example.org>",
		ArchiveURL: "https://news.example.org/archive/weekly/",
	}
}

func recipient() *delivery.Recipient {
	return &delivery.Recipient{
		To: "ann@example.net", ToName: "Ann Example",
		UnsubscribeURL:    "https://news.example.org/unsubscribe/tok123",
		UnsubscribeMailto: "mailto:bounces@example.org?subject=unsubscribe%20tok123",
		Personal:          bulletin.Personal{UnsubscribeURL: "https://news.example.org/unsubscribe/tok123", Name: "Ann"},
		Date:              time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC),
	}
}

func send(t *testing.T, tr *smtp.Transport, l *delivery.Letter, r *delivery.Recipient) (string, error) {
	t.Helper()
	p, err := tr.Prepare(l)
	if err != nil {
		return "", err
	}
	conn, err := tr.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.Send(p, r)
}

func TestMessageHeaders(t *testing.T) {
	st, cfg := server(t)
	tr := &smtp.Transport{SMTP: cfg, Envelope: "bounces@example.org"}
	reply, err := send(t, tr, letter(), recipient())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(reply, "250") {
		t.Errorf("reply %q, want the server's 250", reply)
	}
	got := st.all()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	if got[0].From != "bounces@example.org" || len(got[0].To) != 1 || got[0].To[0] != "ann@example.net" {
		t.Errorf("envelope %s → %v, want the bounce address → the one recipient", got[0].From, got[0].To)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	want := map[string]string{
		"List-Id":               "Weekly update <weekly.example.org>",
		"List-Unsubscribe":      "<https://news.example.org/unsubscribe/tok123>, <mailto:bounces@example.org?subject=unsubscribe%20tok123>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"List-Archive":          "<https://news.example.org/archive/weekly/>",
		"Precedence":            "bulk",
		"Mime-Version":          "1.0",
		"Reply-To":              "<editors@example.org>",
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
	if id := h.Get("Message-Id"); !strings.HasSuffix(id, "@example.org>") || len(id) < 30 {
		t.Errorf("Message-ID %q is not a random id on the From domain", id)
	}
	for _, k := range []string{"X-Mailer", "User-Agent"} {
		if v := h.Get(k); v != "" {
			t.Errorf("%s: %q advertises the library", k, v)
		}
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", h.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		types = append(types, p.Header.Get("Content-Type"))
	}
	if len(types) != 2 || !strings.HasPrefix(types[0], "text/plain; charset=UTF-8") || !strings.HasPrefix(types[1], "text/html; charset=UTF-8") {
		t.Errorf("parts %v, want text/plain then text/html, UTF-8", types)
	}
}

func TestDKIMSignatureVerifiesAndCoversListUnsubscribe(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "dkim.pem")
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := smtp.LoadDKIM("example.org", "bulletin", keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	lookup := func(domain string) ([]string, error) {
		if domain != "bulletin._domainkey.example.org" {
			t.Errorf("looked up %q", domain)
		}
		return []string{"v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
	}

	st, cfg := server(t)
	tr := &smtp.Transport{SMTP: cfg, DKIM: signer}
	l := letter()
	l.Subject = "Weekly update 61: ünïcödé and a subject long enough to be folded by the encoder at seventy-six columns"
	if _, err := send(t, tr, l, recipient()); err != nil {
		t.Fatal(err)
	}
	data := st.all()[0].Data // as received over SMTP, not as built
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(data), &dkim.VerifyOptions{LookupTXT: lookup})
	if err != nil || len(verifs) != 1 {
		t.Fatalf("verify: %v (%d signatures)", err, len(verifs))
	}
	v := verifs[0]
	if v.Err != nil {
		t.Fatalf("DKIM signature does not verify: %v", v.Err)
	}
	signed := strings.ToLower(strings.Join(v.HeaderKeys, ":"))
	for _, h := range []string{"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} {
		if !strings.Contains(":"+signed+":", ":"+h+":") {
			t.Errorf("h= %q does not cover %s", signed, h)
		}
	}

	// Changing the one-click URL must break the signature.
	tampered := bytes.Replace(data, []byte("/unsubscribe/tok123"), []byte("/unsubscribe/tok999"), 1)
	verifs, err = dkim.VerifyWithOptions(bytes.NewReader(tampered), &dkim.VerifyOptions{LookupTXT: lookup})
	if err != nil || len(verifs) != 1 || verifs[0].Err == nil {
		t.Errorf("a tampered List-Unsubscribe still verifies (err %v)", err)
	}
}

func TestHeaderInjectionIsRejected(t *testing.T) {
	st, cfg := server(t)
	tr := &smtp.Transport{SMTP: cfg}
	const evil = "x\r\nBcc: victim@example.com"
	letterCases := map[string]func(l *delivery.Letter){
		"subject":          func(l *delivery.Letter) { l.Subject = "Hello" + evil },
		"subject LF":       func(l *delivery.Letter) { l.Subject = "Hello\nBcc: victim@example.com" },
		"from name":        func(l *delivery.Letter) { l.FromName = evil },
		"reply-to":         func(l *delivery.Letter) { l.ReplyTo = "a@example.org" + evil },
		"list id":          func(l *delivery.Letter) { l.ListID = evil },
		"archive URL":      func(l *delivery.Letter) { l.ArchiveURL = "https://x.example/a\r\n" },
		"bad from address": func(l *delivery.Letter) { l.FromEmail = "not an address" },
	}
	for name, spoil := range letterCases {
		t.Run(name, func(t *testing.T) {
			l := letter()
			spoil(l)
			if _, err := tr.Prepare(l); bulletin.ErrorCode(err) != bulletin.EINVALID {
				t.Errorf("Prepare: %v, want an EINVALID error", err)
			}
		})
	}
	recipientCases := map[string]func(r *delivery.Recipient){
		"recipient name":  func(r *delivery.Recipient) { r.ToName = evil },
		"recipient":       func(r *delivery.Recipient) { r.To = "ann@example.net" + evil },
		"unsubscribe URL": func(r *delivery.Recipient) { r.UnsubscribeURL = "https://x.example/u" + evil },
		"URL bracket":     func(r *delivery.Recipient) { r.UnsubscribeURL = "https://x.example/u>, <https://evil.example/" },
		"mailto":          func(r *delivery.Recipient) { r.UnsubscribeMailto = "mailto:a@example.org" + evil },
	}
	p, err := tr.Prepare(letter())
	if err != nil {
		t.Fatalf("a clean letter fails to prepare: %v", err)
	}
	for name, spoil := range recipientCases {
		t.Run(name, func(t *testing.T) {
			r := recipient()
			spoil(r)
			if err := p.Check(r); bulletin.ErrorCode(err) != bulletin.EINVALID {
				t.Errorf("Check: %v, want an EINVALID error", err)
			}
			if _, err := send(t, tr, letter(), r); bulletin.ErrorCode(err) != bulletin.EINVALID {
				t.Errorf("Send: %v, want an EINVALID error", err)
			}
		})
	}
	if n := len(st.all()); n != 0 {
		t.Errorf("the server received %d messages with bad headers, want none", n)
	}
	if err := p.Check(recipient()); err != nil {
		t.Errorf("a clean recipient fails the check: %v", err)
	}
}
