package main

import (
	"context"
	"strings"
	"testing"

	"bulletin/internal/pgtest"
)

// The demo prints one login per role that really works, and a resumed demo
// prints fresh passwords for the same users instead of adding more.
func TestSeedDemoUsers(t *testing.T) {
	ctx := context.Background()
	m := openTestMain(t, pgtest.NewURL(t))
	lines, err := seedDemoUsers(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join(lines, "\n")
	var pw string
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "Admin login:  admin@example.org / "); ok {
			pw, _, _ = strings.Cut(rest, " at ")
		}
	}
	if pw == "" || !strings.Contains(out, "/login") || !strings.Contains(out, "editor@example.org") || !strings.Contains(out, "contributor@example.org") {
		t.Fatalf("printed:\n%s", out)
	}
	if u, err := m.DB.Authenticate(ctx, "admin@example.org", pw); err != nil || u.Role != "admin" {
		t.Fatalf("the printed admin password does not log in: %v", err)
	}
	if n, _ := m.DB.FindDefaultNewsletter(ctx); n.FromEmail == "" || n.Schedule == "" {
		t.Fatalf("demo newsletter not configured: %+v", n)
	}
	again, err := seedDemoUsers(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	var pw2 string
	for _, l := range again {
		if rest, ok := strings.CutPrefix(l, "Admin login:  admin@example.org / "); ok {
			pw2, _, _ = strings.Cut(rest, " at ")
		}
	}
	if pw2 == "" || pw2 == pw {
		t.Fatalf("second run printed no fresh admin password:\n%s", strings.Join(again, "\n"))
	}
	if _, err := m.DB.Authenticate(ctx, "admin@example.org", pw2); err != nil {
		t.Fatalf("the second run's password does not log in: %v", err)
	}
	if _, err := m.DB.Authenticate(ctx, "admin@example.org", pw); err == nil {
		t.Fatal("the first run's password still logs in")
	}
	if us, _ := m.DB.FindUsers(ctx); len(us) != 3 {
		t.Fatalf("%d users after two runs", len(us))
	}
}
