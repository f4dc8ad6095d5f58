package postgres_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/postgres"

	"github.com/alexedwards/scs/v2"
)

// putSession stores a session the way scs does, logged in as user.
func putSession(t *testing.T, db *postgres.DB, token string, user int64) {
	t.Helper()
	deadline := time.Now().Add(time.Hour)
	data, err := scs.GobCodec{}.Encode(deadline, map[string]any{"user_id": user, "flash": "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)`, token, data, deadline); err != nil {
		t.Fatal(err)
	}
}

func sessionTokens(t *testing.T, db *postgres.DB) map[string]bool {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT token FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var tok string
		if err := rows.Scan(&tok); err != nil {
			t.Fatal(err)
		}
		out[tok] = true
	}
	return out
}

// Issue 16, defect 7: sessions survived a password change. Changing the
// password now ends every session of that user but the one making the
// change; other users' sessions and a change of name alone end nothing.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	alice := mustUser(t, db, "alice@example.org", bulletin.RoleAdmin)
	bob := mustUser(t, db, "bob@example.org", bulletin.RoleEditor)
	putSession(t, db, "alice-here", alice.ID)
	putSession(t, db, "alice-phone", alice.ID)
	putSession(t, db, "alice-laptop", alice.ID)
	putSession(t, db, "bob", bob.ID)

	name := "Alice"
	if _, err := db.UpdateUser(bulletin.NewContextWithSession(ctx, "alice-here"), alice.ID, bulletin.UserUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if got := sessionTokens(t, db); len(got) != 4 {
		t.Fatalf("after a name change: sessions %v, want all 4", got)
	}

	pw := "a-new-long-password"
	if _, err := db.UpdateUser(bulletin.NewContextWithSession(ctx, "alice-here"), alice.ID, bulletin.UserUpdate{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	got := sessionTokens(t, db)
	if !got["alice-here"] || got["alice-phone"] || got["alice-laptop"] || !got["bob"] {
		t.Fatalf("after alice's password change from alice-here: sessions %v, want alice-here and bob", got)
	}

	// A change without a session (the CLI, an API token) ends them all.
	if _, err := db.UpdateUser(ctx, alice.ID, bulletin.UserUpdate{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if got := sessionTokens(t, db); got["alice-here"] || !got["bob"] {
		t.Fatalf("after a change outside any session: sessions %v, want only bob", got)
	}
}
