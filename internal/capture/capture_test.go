package capture_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/pgtest"
	"bulletin/internal/smtp"

	"github.com/wneessen/go-mail"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The capture is a real SMTP server: Bulletin's own go-mail client talks to
// it as to a relay, and what it accepts is kept in PostgreSQL.
func TestCaptureKeepsMessages(t *testing.T) {
	db := pgtest.New(t)
	srv, err := capture.Start("127.0.0.1:0", db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ml := &smtp.Mailer{SMTP: config.PlainSMTP(srv.Addr)}

	m := mail.NewMsg()
	if err := m.From("news@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := m.To("reader@example.com"); err != nil {
		t.Fatal(err)
	}
	m.Subject("Weekly update 1: héllo")
	m.SetBodyString(mail.TypeTextPlain, "body text")
	if err := ml.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}

	got, err := db.FindCapturedMessages(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("captured %d messages, want 1", len(got))
	}
	if got[0].From != "news@example.org" || len(got[0].To) != 1 || got[0].To[0] != "reader@example.com" {
		t.Errorf("envelope = %q → %q", got[0].From, got[0].To)
	}
	if got[0].Subject != "Weekly update 1: héllo" {
		t.Errorf("subject = %q", got[0].Subject)
	}
	full, err := db.FindCapturedMessage(context.Background(), got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(full.Data), "body text") {
		t.Errorf("stored data lacks the body:\n%s", full.Data)
	}
}

// A message over the size limit is refused and not kept.
func TestCaptureSizeLimit(t *testing.T) {
	db := pgtest.New(t)
	srv, err := capture.Start("127.0.0.1:0", db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ml := &smtp.Mailer{SMTP: config.PlainSMTP(srv.Addr)}
	m := mail.NewMsg()
	_ = m.From("news@example.org")
	_ = m.To("reader@example.com")
	m.SetBodyString(mail.TypeTextPlain, strings.Repeat("x", capture.MaxMessageBytes+1))
	if err := ml.Send(context.Background(), m); err == nil {
		t.Fatal("an oversize message was accepted")
	}
	if n, err := db.CountCapturedMessages(context.Background()); err != nil || n != 0 {
		t.Errorf("captured %d messages (err %v), want 0", n, err)
	}
}
