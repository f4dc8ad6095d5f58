package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/bulletin"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	u := &bulletin.User{Email: "Jane@Example.org", Name: "Jane", Role: bulletin.RoleEditor}
	if err := db.CreateUser(ctx, u, "a good long password"); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.PasswordHash[:10] != "$argon2id$" {
		t.Fatalf("created %+v", u)
	}
	// Email is unique whatever its case.
	wantCode(t, db.CreateUser(ctx, &bulletin.User{Email: "jane@EXAMPLE.org", Role: "editor"}, ""), bulletin.ECONFLICT)
	got, err := db.FindUserByEmail(ctx, "JANE@example.ORG")
	if err != nil || got.ID != u.ID {
		t.Fatalf("FindUserByEmail = %v, %v", got, err)
	}
	for _, bad := range []*bulletin.User{
		{Email: "not an email", Role: "editor"},
		{Email: "Jane <j@example.org>", Role: "editor"},
		{Email: "j@example.org\r\nBcc: x@y.org", Role: "editor"},
		{Email: "k@example.org", Role: "overlord"},
		{Email: "k@example.org", Role: "editor", Name: "a\nb"},
	} {
		wantCode(t, db.CreateUser(ctx, bad, ""), bulletin.EINVALID)
	}
	wantCode(t, db.CreateUser(ctx, &bulletin.User{Email: "k@example.org", Role: "editor"}, "short"), bulletin.EINVALID)
	if us, _ := db.FindUsers(ctx); len(us) != 1 {
		t.Fatalf("bad input stored users: %d", len(us))
	}

	if a, err := db.Authenticate(ctx, "jane@example.org", "a good long password"); err != nil || a.ID != u.ID {
		t.Fatalf("Authenticate = %v, %v", a, err)
	}
	_, err = db.Authenticate(ctx, "jane@example.org", "wrong password!")
	wantCode(t, err, bulletin.EUNAUTHORIZED)
	_, err = db.Authenticate(ctx, "nobody@example.org", "a good long password")
	wantCode(t, err, bulletin.EUNAUTHORIZED)

	up, err := db.UpdateUser(ctx, u.ID, bulletin.UserUpdate{Role: ptr("admin"), Name: ptr("Jane S")})
	if err != nil || up.Role != "admin" || up.Name != "Jane S" {
		t.Fatalf("UpdateUser = %+v, %v", up, err)
	}
	_, err = db.UpdateUser(ctx, u.ID, bulletin.UserUpdate{Role: ptr("king")})
	wantCode(t, err, bulletin.EINVALID)
	mustUser(t, db, "other-admin@example.org", bulletin.RoleAdmin) // Jane is not the last admin
	wantCode(t, db.DeleteUser(ctx, u.ID, nil), "")
	wantCode(t, db.DeleteUser(ctx, u.ID, nil), bulletin.ENOTFOUND)
}

func TestTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	u := mustUser(t, db, "c@example.org", bulletin.RoleContributor)
	tok, rec, err := db.CreateToken(ctx, u.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != 43 || rec.Name != "laptop" || rec.LastUsedAt != nil {
		t.Fatalf("token %q %+v", tok, rec)
	}
	// Only the SHA-256 is stored.
	var stored int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = sha256($1::bytea)`, []byte(tok)).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("hash lookup: %d %v", stored, err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE position($1::bytea in token_hash) > 0`, []byte(tok)).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("raw token stored: %d %v", stored, err)
	}
	got, err := db.FindUserByToken(ctx, tok)
	if err != nil || got.ID != u.ID {
		t.Fatalf("FindUserByToken = %v, %v", got, err)
	}
	ts, _ := db.FindTokens(ctx, u.ID)
	if len(ts) != 1 || ts[0].LastUsedAt == nil {
		t.Fatalf("last_used_at not recorded: %+v", ts)
	}
	_, err = db.FindUserByToken(ctx, tok+"x")
	wantCode(t, err, bulletin.EUNAUTHORIZED)
	if err := db.RevokeToken(ctx, 0, rec.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, err = db.FindUserByToken(ctx, tok)
	wantCode(t, err, bulletin.EUNAUTHORIZED)
	_, _, err = db.CreateToken(ctx, 999999, "x")
	wantCode(t, err, bulletin.EINVALID)
	wantCode(t, db.RevokeToken(ctx, 0, 999999, nil), bulletin.ENOTFOUND)
}
