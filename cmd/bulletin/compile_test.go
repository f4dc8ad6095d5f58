package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/config"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
)

// bulletin compile prints the number; with nothing approved it fails with
// the reason; bulletin preview writes the issue as subscribers see it.
func TestCompileAndPreviewCommands(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"DATABASE_URL": pgtest.NewURL(t), "BULLETIN_LOG_LEVEL": "error"}
	m := openTestMain(t, vars["DATABASE_URL"])
	fixture.Item(t, m.DB, &bulletin.Item{Title: "Lantern walk", Body: "At dusk.", Status: bulletin.ItemApproved}) // on "weekly", which Main.Open made

	env, out, _ := testEnv(vars)
	if err := run(ctx, env, []string{"compile"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "1" {
		t.Errorf("compile printed %q, want 1", got)
	}
	env, _, _ = testEnv(vars)
	if err := run(ctx, env, []string{"compile", "--newsletter", "weekly"}); err == nil || !strings.Contains(err.Error(), "nothing to compile") {
		t.Errorf("second compile: %v, want nothing to compile", err)
	}
	env, out, _ = testEnv(vars)
	if err := run(ctx, env, []string{"compile", "--allow-empty"}); err != nil || strings.TrimSpace(out.String()) != "2" {
		t.Errorf("compile --allow-empty: %v, printed %q", err, out.String())
	}

	file := filepath.Join(t.TempDir(), "issue1.html")
	env, _, _ = testEnv(vars)
	if err := run(ctx, env, []string{"preview", "--newsletter", "weekly", "--issue", "1", "--out", file}); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(html), "Lantern walk") || strings.Contains(string(html), "__BULLETIN_") {
		t.Errorf("preview file: %v %.200s", err, html)
	}
	for _, args := range [][]string{{"preview", "--issue", "9"}, {"preview"}, {"compile", "--newsletter", "nope"}} {
		env, _, _ = testEnv(vars)
		if err := run(ctx, env, args); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}

// The demo seeds a dozen sample items and compiles issue 1 once, even when
// run again on the same database.
func TestSeedDemoIssue(t *testing.T) {
	ctx := context.Background()
	m := openTestMain(t, pgtest.NewURL(t))
	for range 2 {
		lines, err := seedDemoIssue(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) == 0 || !strings.Contains(lines[0], "Issue 1:") {
			t.Errorf("lines = %v", lines)
		}
	}
	var issues, items, closing int
	if err := m.DB.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM issues), (SELECT count(*) FROM items WHERE issue_id IS NOT NULL),
		(SELECT issue_position FROM items WHERE closing)`).Scan(&issues, &items, &closing); err != nil {
		t.Fatal(err)
	}
	if issues != 1 || items != len(demoItems()) || closing != items {
		t.Errorf("%d issues, %d items claimed, closing at %d; want 1, %d, last", issues, items, closing, len(demoItems()))
	}
}

func openTestMain(t *testing.T, url string) *Main {
	t.Helper()
	cfg, err := config.Load(newFlagSet(&Env{Stderr: io.Discard}, "t", "t"), nil, func(k string) string {
		return map[string]string{"DATABASE_URL": url}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}
