package e2e

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/pgtest"
	"bulletin/internal/postfixtest"
	"bulletin/internal/smtp"

	"github.com/wneessen/go-mail"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Bulletin's SMTP client talks to a real postfix, which relays to the
// capture: the headers a relay must not mangle arrive intact.
func TestSendThroughPostfix(t *testing.T) {
	db := pgtest.New(t)
	sink, err := capture.Start("127.0.0.1:0", db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	pf := postfixtest.Start(t, sink.Addr)

	ml := &smtp.Mailer{SMTP: config.PlainSMTP(pf.Addr)}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	_ = m.From("Weekly update <news@example.org>")
	_ = m.To("reader@example.com")
	m.Subject("Weekly update 1: through postfix")
	m.SetGenHeader("List-Id", "Weekly update <weekly.example.org>")
	m.SetBodyString(mail.TypeTextPlain, "hello through a real relay")
	if err := ml.Send(context.Background(), m); err != nil {
		t.Fatalf("send to postfix: %v\n%s", err, pf.Log())
	}

	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := db.FindCapturedMessages(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 {
			full, err := db.FindCapturedMessage(context.Background(), got[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			data := string(full.Data)
			for _, want := range []string{"List-Id: Weekly update <weekly.example.org>", "Received: from", "hello through a real relay"} {
				if !strings.Contains(data, want) {
					t.Errorf("relayed message lacks %q:\n%s", want, data)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("postfix did not relay the message within 30s; its log:\n%s", pf.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
