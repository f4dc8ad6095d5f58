package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// user, token and item add: what they print, that the results work, and
// that bad input is refused with nothing stored.
func TestUserTokenItemCommands(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"DATABASE_URL": pgtest.NewURL(t), "BULLETIN_LOG_LEVEL": "error"}
	cmd := func(stdin string, args ...string) (string, string, error) {
		env, out, errb := testEnv(vars)
		env.Stdin = strings.NewReader(stdin)
		err := run(ctx, env, args)
		return out.String(), errb.String(), err
	}
	out, _, err := cmd("a very good password\n", "user", "add", "--email", "Ed@Example.org", "--role", "editor", "--name", "Ed", "--password-stdin")
	if err != nil || !strings.Contains(out, "Added editor Ed@Example.org") {
		t.Fatalf("user add: %q %v", out, err)
	}
	if _, _, err := cmd("", "user", "add", "--email", "c@example.org", "--role", "contributor"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"user", "add", "--email", "ed@example.ORG", "--role", "editor"},                    // taken, whatever the case
		{"user", "add", "--email", "x@example.org", "--role", "overlord"},                   // no such role
		{"user", "add", "--email", "not-an-address", "--role", "editor"},                    // bad email
		{"user", "add", "--email", "y@example.org"},                                         // no role
		{"user", "add", "--email", "z@example.org", "--role", "editor", "--password-stdin"}, // empty stdin
		{"user", "frobnicate"},
	} {
		if _, _, err := cmd("", args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	out, _, _ = cmd("", "user", "list")
	if strings.Count(out, "\n") != 2 || !strings.Contains(out, "editor\tEd@Example.org\tEd") {
		t.Fatalf("user list:\n%s", out)
	}

	tok, stderr, err := cmd("", "token", "create", "--email", "ed@example.org", "--name", "ci")
	tok = strings.TrimSpace(tok)
	if err != nil || len(tok) != 43 || !strings.Contains(stderr, "shown only this once") {
		t.Fatalf("token create: %q %q %v", tok, stderr, err)
	}
	m := openTestMain(t, vars["DATABASE_URL"])
	if u, err := m.DB.FindUserByToken(ctx, tok); err != nil || u.Email != "Ed@Example.org" {
		t.Fatalf("printed token does not authenticate: %v", err)
	}
	if _, _, err := cmd("", "token", "create", "--email", "nobody@example.org"); err == nil || !strings.Contains(err.Error(), "user not found") {
		t.Fatalf("token for nobody: %v", err)
	}
	out, _, _ = cmd("", "token", "list", "--email", "ed@example.org")
	id, _, _ := strings.Cut(out, "\t")
	if _, _, err := cmd("", "token", "revoke", id); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.FindUserByToken(ctx, tok); bulletin.ErrorCode(err) != bulletin.EUNAUTHORIZED {
		t.Fatalf("revoked token still works: %v", err)
	}

	body := filepath.Join(t.TempDir(), "body.md")
	os.WriteFile(body, []byte("Hello <script>alert(1)</script> **world**"), 0o644)
	out, _, err = cmd("", "item", "add", "--title", "Repair café", "--body-file", body, "--url", "https://example.org",
		"--source", "Jane", "--approved", "--closing", "--email", "c@example.org")
	if err != nil || !strings.Contains(out, "(approved, position 1)") {
		t.Fatalf("item add: %q %v", out, err)
	}
	if _, _, err := cmd("Piped **body**", "item", "add", "--title", "Link", "--kind", "link", "--url", "https://example.org/l", "--body-file", "-"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"item", "add"},
		{"item", "add", "--title", "x", "--url", "javascript:alert(1)"},
		{"item", "add", "--title", "x", "--section", "ghost"},
		{"item", "add", "--title", "x", "--newsletter", "ghost"},
		{"item", "add", "--title", "x", "--kind", "poem"},
		{"item", "add", "--title", "x", "--body-file", "/nonexistent"},
		{"item", "add", "--title", "x", "--email", "nobody@example.org"},
	} {
		if _, _, err := cmd("", args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	its, _ := m.DB.FindItems(ctx, bulletin.ItemFilter{})
	if len(its) != 2 {
		t.Fatalf("%d items stored, want 2", len(its))
	}
	it := its[0]
	if it.Title != "Repair café" || it.Status != "approved" || !it.Closing || it.Contributor != "c@example.org" ||
		strings.Contains(it.BodyHTML, "<script") || !strings.Contains(it.BodyHTML, "<strong>world</strong>") {
		t.Fatalf("item %+v", it)
	}
	if its[1].Kind != "link" || its[1].Body != "Piped **body**" || its[1].Status != "submitted" {
		t.Fatalf("piped item %+v", its[1])
	}
}

// Multi-word commands answer --help at both levels.
func TestVerbHelp(t *testing.T) {
	for _, args := range [][]string{{"user", "--help"}, {"user", "add", "--help"}, {"token", "create", "--help"}, {"item", "add", "--help"}, {"token", "revoke", "--help"}} {
		env, out, errb := testEnv(nil)
		err := run(context.Background(), env, args)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out.String()+errb.String(), "Usage: bulletin "+strings.Join(args[:len(args)-1], " ")) {
			t.Errorf("%v printed %q", args, out.String()+errb.String())
		}
	}
	env, _, errb := testEnv(nil)
	if err := run(context.Background(), env, []string{"user"}); err == nil || !strings.Contains(errb.String(), "bulletin user add --email") {
		t.Errorf("bare 'bulletin user': %v %q", err, errb.String())
	}
}

// user set and delete go through the accounts service: the last admin can
// be neither demoted nor deleted from the command line either.
func TestUserSetDeleteKeepAnAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vars := map[string]string{"DATABASE_URL": pgtest.NewURL(t), "BULLETIN_LOG_LEVEL": "error"}
	cmd := func(args ...string) (string, error) {
		env, out, _ := testEnv(vars)
		err := run(ctx, env, args)
		return out.String(), err
	}
	for _, u := range [][]string{{"a@example.org", "admin"}, {"b@example.org", "editor"}} {
		if _, err := cmd("user", "add", "--email", u[0], "--role", u[1]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cmd("user", "set", "--email", "a@example.org", "--role", "editor"); err == nil || !strings.Contains(err.Error(), "last admin") {
		t.Fatalf("demoting the last admin: %v", err)
	}
	if _, err := cmd("user", "delete", "--email", "a@example.org"); err == nil || !strings.Contains(err.Error(), "last admin") {
		t.Fatalf("deleting the last admin: %v", err)
	}
	for _, args := range [][]string{
		{"user", "set", "--email", "a@example.org"},                     // nothing to change
		{"user", "set", "--email", "nobody@example.org", "--name", "X"}, // no such user
		{"user", "set", "--email", "b@example.org", "--role", "king"},   // no such role
		{"user", "delete"},
	} {
		if _, err := cmd(args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	if out, err := cmd("user", "set", "--email", "b@example.org", "--role", "admin", "--name", "Bea"); err != nil || !strings.Contains(out, "b@example.org is admin (Bea)") {
		t.Fatalf("user set: %q %v", out, err)
	}
	if out, err := cmd("user", "delete", "--email", "a@example.org"); err != nil || !strings.Contains(out, "Deleted a@example.org") {
		t.Fatalf("user delete with another admin left: %q %v", out, err)
	}
	out, _ := cmd("user", "list")
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "admin\tb@example.org\tBea") {
		t.Fatalf("user list:\n%s", out)
	}
}
