package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/bulletin"
)

// The account rules, tested once here for the API, the admin pages and the
// command line alike.

func TestAdminCannotDemoteOrDeleteThemselves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	me := mustUser(t, db, "me@example.org", bulletin.RoleAdmin)
	mustUser(t, db, "other@example.org", bulletin.RoleAdmin)

	_, err := db.UpdateUser(ctx, me.ID, bulletin.UserUpdate{Role: ptr(bulletin.RoleEditor), By: me})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	wantCode(t, db.DeleteUser(ctx, me.ID, me), bulletin.EUNPROCESSABLE)
	if got, _ := db.FindUserByID(ctx, me.ID); got == nil || got.Role != bulletin.RoleAdmin {
		t.Fatalf("refused change stored: %+v", got)
	}
	// Their name and password they may change, and keeping the role is fine.
	if _, err := db.UpdateUser(ctx, me.ID, bulletin.UserUpdate{Name: ptr("Me"), Role: ptr(bulletin.RoleAdmin), By: me}); err != nil {
		t.Fatal(err)
	}
}

func TestLastAdminStays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	a := mustUser(t, db, "a@example.org", bulletin.RoleAdmin)
	ed := mustUser(t, db, "ed@example.org", bulletin.RoleEditor)

	// The operator (by nil) is held to it too.
	_, err := db.UpdateUser(ctx, a.ID, bulletin.UserUpdate{Role: ptr(bulletin.RoleEditor)})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	wantCode(t, db.DeleteUser(ctx, a.ID, nil), bulletin.EUNPROCESSABLE)
	// Non-admins come and go.
	if _, err := db.UpdateUser(ctx, ed.ID, bulletin.UserUpdate{Role: ptr(bulletin.RoleContributor), By: a}); err != nil {
		t.Fatal(err)
	}
	// With a second admin, either may go, but not both.
	b := mustUser(t, db, "b@example.org", bulletin.RoleAdmin)
	if _, err := db.UpdateUser(ctx, a.ID, bulletin.UserUpdate{Role: ptr(bulletin.RoleEditor), By: b}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeleteUser(ctx, b.ID, nil), bulletin.EUNPROCESSABLE)
	if err := db.DeleteUser(ctx, ed.ID, b); err != nil {
		t.Fatal(err)
	}
}

func TestTokenRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	ad := mustUser(t, db, "ad@example.org", bulletin.RoleAdmin)
	c := mustUser(t, db, "c@example.org", bulletin.RoleContributor)
	d := mustUser(t, db, "d@example.org", bulletin.RoleContributor)

	// A contributor makes tokens for themselves only.
	_, own, err := db.IssueToken(ctx, bulletin.TokenRequest{Name: "laptop"}, c)
	if err != nil || own.UserID != c.ID {
		t.Fatalf("own token = %+v, %v", own, err)
	}
	_, _, err = db.IssueToken(ctx, bulletin.TokenRequest{Name: "x", Email: d.Email}, c)
	wantCode(t, err, bulletin.EFORBIDDEN)
	_, _, err = db.IssueToken(ctx, bulletin.TokenRequest{Name: "x", UserID: d.ID}, c)
	wantCode(t, err, bulletin.EFORBIDDEN)
	// An admin, for anyone; an unknown email is a bad field.
	_, forD, err := db.IssueToken(ctx, bulletin.TokenRequest{Name: "ci", Email: "D@example.org"}, ad)
	if err != nil || forD.UserID != d.ID {
		t.Fatalf("admin's token for d = %+v, %v", forD, err)
	}
	_, _, err = db.IssueToken(ctx, bulletin.TokenRequest{Name: "x", Email: "nobody@example.org"}, ad)
	wantCode(t, err, bulletin.EINVALID)
	if ts, _ := db.FindTokens(ctx, d.ID); len(ts) != 1 {
		t.Fatalf("refused requests made tokens: %d", len(ts))
	}

	// Others' tokens are not found for a contributor; an admin revokes
	// any, but through the owner named.
	wantCode(t, db.RevokeToken(ctx, 0, forD.ID, c), bulletin.ENOTFOUND)
	wantCode(t, db.RevokeToken(ctx, c.ID, forD.ID, ad), bulletin.ENOTFOUND)
	if ts, _ := db.FindTokens(ctx, d.ID); ts[0].RevokedAt != nil {
		t.Fatal("refused revoke revoked")
	}
	if err := db.RevokeToken(ctx, d.ID, forD.ID, ad); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(ctx, 0, own.ID, c); err != nil {
		t.Fatal(err)
	}
}
