package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
)

// An issue compiled by the real compiler and then sent appears in the
// archive of the running service: as sent, with neutral links, on its month
// page and in search.
func TestServeArchiveOfCompiledIssue(t *testing.T) {
	ctx := context.Background()
	m, base := startMain(t, "web")
	fixture.Item(t, m.DB, &bulletin.Item{Newsletter: "weekly", Title: "Lantern walk through the old town",
		Body: "Meet at dusk by the fountain.", Source: "By the events team", Status: bulletin.ItemApproved})
	env, out, _ := testEnv(map[string]string{"DATABASE_URL": m.Config.DatabaseURL, "BULLETIN_LOG_LEVEL": "error"})
	if err := run(ctx, env, []string{"compile", "--newsletter", "weekly"}); err != nil || strings.TrimSpace(out.String()) != "1" {
		t.Fatalf("compile: %v, printed %q", err, out.String())
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// Compiled but not sent: not public.
	if code, _ := get("/archive/weekly/1"); code != http.StatusNotFound {
		t.Fatalf("unsent issue 1 = %d, want 404", code)
	}
	if _, err := m.DB.Pool.Exec(ctx, `UPDATE issues SET status = 'sent', sent_at = '2026-11-18T09:00:00Z' WHERE number = 1`); err != nil {
		t.Fatal(err)
	}
	code, email := get("/archive/weekly/1/email")
	if code != 200 || !strings.Contains(email, "Lantern walk through the old town") || !strings.Contains(email, "Hi there,") ||
		strings.Contains(email, "__BULLETIN_") {
		t.Errorf("email = %d:\n%s", code, email)
	}
	// Without a public list there is nothing to subscribe to: the personal
	// footer (unsubscribe, preferences) is left out, past issues stay.
	if n := strings.Count(email, `href="`+m.Config.BaseURL+`/archive/weekly/" style="color:#5f5f5f;text-decoration:underline" target="_top"`); n != 1 ||
		strings.Contains(email, ">Unsubscribe</a>") || strings.Contains(email, "change your preferences") || strings.Contains(email, ">Subscribe</a>") {
		t.Errorf("%d links to the archive index, want 1 (past issues), and no unsubscribe, preferences or subscribe link", n)
	}
	if code, page := get("/archive/weekly/2026/11/"); code != 200 || !strings.Contains(page, "<li>Lantern walk through the old town</li>") {
		t.Errorf("month page = %d", code)
	}
	if code, page := get("/archive/weekly/search?q=fountain"); code != 200 || !strings.Contains(page, "1 result for “fountain”") {
		t.Errorf("search = %d", code)
	}
}
