package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// newDB returns a fresh database holding the default newsletter.
func newDB(t *testing.T) *postgres.DB {
	t.Helper()
	db := pgtest.New(t)
	if _, err := db.EnsureDefaultNewsletter(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func mustUser(t *testing.T, db *postgres.DB, email, role string) *bulletin.User {
	t.Helper()
	u := &bulletin.User{Email: email, Role: role}
	if err := db.CreateUser(context.Background(), u, ""); err != nil {
		t.Fatal(err)
	}
	return u
}

func mustItem(t *testing.T, db *postgres.DB, it *bulletin.Item) *bulletin.Item {
	t.Helper()
	if err := db.CreateItem(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	return it
}

func mustSection(t *testing.T, db *postgres.DB, nl, slug string) *bulletin.Section {
	t.Helper()
	s := &bulletin.Section{Slug: slug, Name: slug}
	if err := db.CreateSection(context.Background(), nl, s); err != nil {
		t.Fatal(err)
	}
	return s
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if bulletin.ErrorCode(err) != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
}

func ptr[T any](v T) *T { return &v }
