package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// BenchmarkRequestReset measures the "forgot password" request for an
// address with an account and one without: the same single insert, so the
// two figures should match within noise. Compare them; nothing is
// asserted.
func BenchmarkRequestReset(b *testing.B) {
	db := pgtest.New(b)
	ctx := context.Background()
	u := &bulletin.User{Email: "known@example.org", Role: bulletin.RoleContributor}
	if err := db.CreateUser(ctx, u, "password 12345"); err != nil {
		b.Fatal(err)
	}
	for _, addr := range []string{"known@example.org", "unknown@example.org"} {
		b.Run(addr[:len(addr)-len("@example.org")], func(b *testing.B) {
			for b.Loop() {
				if err := db.RequestReset(ctx, addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
