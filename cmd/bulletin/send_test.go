package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"bulletin/internal/capture"
	"bulletin/internal/pgtest"
)

// bulletin send fans out, sends from this process through a real SMTP
// server and prints progress until the issue is sent.
func TestSendCommand(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewURL(t)
	m := openTestMain(t, url)
	if _, err := m.DB.Pool.Exec(ctx, `
		INSERT INTO newsletters (slug, name, from_name, from_email, is_default) VALUES ('weekly', 'Weekly update', 'Editors', 'news@example.org', true)
			ON CONFLICT (slug) DO UPDATE SET from_name = excluded.from_name, from_email = excluded.from_email;
		INSERT INTO lists (slug, name) VALUES ('main', 'Main');
		INSERT INTO newsletter_lists SELECT n.id, l.id FROM newsletters n, lists l;
		INSERT INTO subscribers (email, token) SELECT 'r' || g || '@example.org', 'tok' || g FROM generate_series(1, 4) g;
		INSERT INTO subscriptions (list_id, subscriber_id) SELECT l.id, s.id FROM lists l, subscribers s;
		INSERT INTO issues (newsletter_id, number, status, subject, html, text_body)
		SELECT id, 1, 'scheduled', 'Weekly update 1', '<p>Hi</p>', 'Hi' FROM newsletters`); err != nil {
		t.Fatal(err)
	}
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
