package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postfixtest"
	"bulletin/internal/postgres"
)

// The weekly cycle end to end, as in production: the real service (every
// role) compiles the demo's issue 1 and its sender mails it through Debian's
// postfix, which relays to a sink; every reader gets exactly one copy with
// the bulk-mail headers intact, and the issue lands in the archive.
func TestWeeklyCycleThroughPostfix(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	sinkDB, err := postgres.Open(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer sinkDB.Close()
	sink, err := capture.Start("127.0.0.1:0", sinkDB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	pf := postfixtest.Start(t, sink.Addr)

	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg, err := config.Load(fs, nil, func(k string) string {
		return map[string]string{
			"DATABASE_URL":      dbURL,
			"BULLETIN_SMTP_URL": "smtp://" + pf.Addr + "?tls=none",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Listener: ln}
	runCtx, cancel := context.WithCancel(ctx)
	if err := m.Open(runCtx); err != nil {
		t.Fatal(err)
	}
	if _, err := seedDemo(runCtx, m); err != nil {
		t.Fatal(err)
	}
	// This test counts the issue's copies: the users' notification emails
	// (send report, published) are tested in accounts_browser_test.go.
	if _, err := m.DB.Pool.Exec(ctx, `UPDATE users SET notify_digest = false, notify_review = false, notify_published = false, notify_send_report = false`); err != nil {
		t.Fatal(err)
	}
	var readers int
	if err := m.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM subscribers WHERE status = 'active'`).Scan(&readers); err != nil || readers == 0 {
		t.Fatalf("demo seeded %d active readers (err %v)", readers, err)
	}
	defer runMain(t, runCtx, cancel, m)()

	// Wait until the issue is sent and the sink holds every copy.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("postfix log:\n%s", pf.Log())
		}
	})
	fixture.WaitFor(t, "issue 1 sent and relayed to every reader", func() bool {
		is, err := m.DB.FindIssueByNumber(ctx, "weekly", 1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sinkDB.CountCapturedMessages(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return is.Status == bulletin.IssueSent && got >= readers
	})
	time.Sleep(time.Second) // a late duplicate would show up now
	msgs, err := sinkDB.FindCapturedMessages(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != readers {
		t.Errorf("sink holds %d messages for %d readers", len(msgs), readers)
	}
	seen := map[string]bool{}
	for _, c := range msgs {
		if len(c.To) != 1 || seen[c.To[0]] {
			t.Errorf("recipient %v twice or more than one per message", c.To)
			continue
		}
		seen[c.To[0]] = true
		full, err := sinkDB.FindCapturedMessage(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(string(full.Data), "\r\n\r\n")
		for _, want := range []string{"Received: from", "List-Unsubscribe: <", "/unsubscribe/",
			"List-Unsubscribe-Post: List-Unsubscribe=One-Click", "List-Id: ", "Precedence: bulk", "Message-ID: <"} {
			if !strings.Contains(head, want) {
				t.Errorf("message to %s lacks %q in its header:\n%s", c.To[0], want, head)
			}
		}
		if strings.Contains(head, "X-Mailer") {
			t.Errorf("message to %s advertises its mailer", c.To[0])
		}
	}

	resp, err := http.Get("http://" + m.Addr + "/archive/weekly/1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Weekly update 1") {
		t.Errorf("archive page of the sent issue: %d\n%.300s", resp.StatusCode, body)
	}
}
