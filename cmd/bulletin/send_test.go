package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/capture"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
)

// bulletin send fans out, sends from this process through a real SMTP
// server and prints progress until the issue is sent.
func TestSendCommand(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewURL(t)
	m := openTestMain(t, url)
	fixture.List(t, m.DB, &bulletin.List{Slug: "main", Name: "Main"}) // on "weekly", with a sender
	fixture.Readers(t, m.DB, "main", 4)
	fixture.Issue(t, m.DB, "weekly") // issue 1, a draft
	cap, err := capture.Start("127.0.0.1:0", m.DB, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer cap.Close()
	vars := map[string]string{"DATABASE_URL": url, "BULLETIN_LOG_LEVEL": "error", "BULLETIN_SMTP_URL": "smtp://" + cap.Addr + "?tls=none"}

	env, out, _ := testEnv(vars)
	if err := run(ctx, env, []string{"send", "--issue", "1"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "4 deliveries created") || !strings.Contains(out.String(), "4/4 sent, 0 failed, 0 pending") {
		t.Errorf("send printed:\n%s", out.String())
	}
	if n, _ := m.DB.CountCapturedMessages(ctx); n != 4 {
		t.Errorf("the SMTP server received %d messages, want 4", n)
	}
	for _, args := range [][]string{{"send"}, {"send", "--issue", "9"}, {"send", "--issue", "1"}, {"send", "--newsletter", "nope", "--issue", "1"}} {
		env, _, _ = testEnv(vars)
		if err := run(ctx, env, args); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
