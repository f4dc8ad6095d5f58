package main

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// weeklyListURL returns the URL of a fresh database holding one list,
// "weekly", for the subscriber commands to import into.
func weeklyListURL(t *testing.T) string {
	t.Helper()
	dsn := pgtest.NewURL(t)
	db, err := postgres.Open(context.Background(), dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateList(context.Background(), &bulletin.List{Slug: "weekly", Name: "Weekly"}); err != nil {
		t.Fatal(err)
	}
	return dsn
}

func TestSubscribersImportExportCLI(t *testing.T) {
	ctx := context.Background()
	dsn := weeklyListURL(t)
	file := filepath.Join(t.TempDir(), "in.csv")
	os.WriteFile(file, []byte("email,name,status\nann@example.org,Ann,\nnope,X,\nbob@example.org,Bob,unsubscribed\n"), 0o644)
	vars := map[string]string{"DATABASE_URL": dsn}

	env, out, errb := testEnv(vars)
	err := run(ctx, env, []string{"subscribers", "import", "--list", "weekly", file})
	if err == nil || !strings.Contains(err.Error(), "1 bad lines") {
		t.Fatalf("import err = %v", err)
	}
	if !strings.Contains(out.String(), "imported 2 (2 new), skipped 1") || !strings.Contains(errb.String(), file+":3: ") {
		t.Fatalf("stdout %q\nstderr %q", out.String(), errb.String())
	}

	env, out, _ = testEnv(vars)
	if err := run(ctx, env, []string{"subscribers", "export", "--list", "weekly"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "email,name,status\nann@example.org,Ann,active\nbob@example.org,Bob,unsubscribed\n" {
		t.Fatalf("export:\n%s", out.String())
	}
	// Re-importing the export from stdin changes nothing and has no bad lines.
	env, out2, _ := testEnv(vars)
	env.Stdin = strings.NewReader(out.String())
	if err := run(ctx, env, []string{"subscribers", "import", "--list", "weekly", "-"}); err != nil || !strings.Contains(out2.String(), "imported 2 (0 new)") {
		t.Fatalf("re-import: %v %q", err, out2.String())
	}

	env, _, _ = testEnv(vars)
	if err := run(ctx, env, []string{"subscribers", "export", "--list", "nope"}); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("unknown list: %v", err)
	}
	env, _, _ = testEnv(vars)
	if err := run(ctx, env, []string{"subscribers", "import", "--list", "weekly"}); !errors.Is(err, errUsage) {
		t.Fatalf("no file: %v", err)
	}
	for _, sub := range []string{"import", "export"} {
		env, _, errb := testEnv(nil)
		err := run(ctx, env, []string{"subscribers", sub, "--help"})
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errb.String(), "Usage: bulletin subscribers "+sub) {
			t.Fatalf("%s --help: %v %q", sub, err, errb.String())
		}
	}
}

// The demo seed is idempotent on a kept database.
func TestSeedSubscribersTwice(t *testing.T) {
	m, _ := startMain(t, "web")
	for i := 0; i < 2; i++ {
		lines, err := seedSubscribers(context.Background(), m)
		if err != nil || len(lines) != 1 || !strings.Contains(lines[0], "25 demo readers") {
			t.Fatalf("seed #%d: %v %v", i, lines, err)
		}
	}
	var active, linked int
	m.DB.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id
		WHERE x.status = 'active' AND s.status = 'active'), (SELECT count(*) FROM newsletter_lists)`).Scan(&active, &linked)
	if active != 25 || linked != 1 {
		t.Fatalf("active %d, newsletter lists %d", active, linked)
	}
}

// The real service, real bearer tokens: an admin creates a list and imports
// into it; an editor's token may not.
func TestSubscribersAPIWithBearerTokens(t *testing.T) {
	m, base := startMain(t, "web")
	ctx := context.Background()
	token := func(role string) string {
		u := &bulletin.User{Email: role + "@example.org", Role: role}
		if err := m.DB.CreateUser(ctx, u, "correct horse battery staple"); err != nil {
			t.Fatal(err)
		}
		tok, _, err := m.DB.CreateToken(ctx, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	admin, editor := token("admin"), token("editor")
	call := func(tok, method, path, ctype, body string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := call(editor, "POST", "/api/v1/lists", "application/json", `{"slug":"news","name":"News"}`); code != 403 {
		t.Fatalf("editor creates a list: %d", code)
	}
	if code := call(admin, "POST", "/api/v1/lists", "application/json", `{"slug":"news","name":"News","public":true}`); code != 201 {
		t.Fatalf("admin creates a list: %d", code)
	}
	if code := call(admin, "POST", "/api/v1/lists/news/subscribers/import", "text/csv", "email,name\na@example.org,A\n"); code != 200 {
		t.Fatalf("import: %d", code)
	}
	if code := call("wrong-token", "GET", "/api/v1/lists", "", ""); code != 401 {
		t.Fatalf("bad token: %d", code)
	}
	resp, err := http.Get(base + "/subscribe/news")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("subscribe page in the real service: %d", resp.StatusCode)
	}
}
