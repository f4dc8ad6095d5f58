package postgres

import (
	"math/rand/v2"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// The import's shortcut for plain addresses gives what NormalizeEmail
// gives, for every address it takes; it takes the common shapes and leaves
// every doubtful one to NormalizeEmail.
func TestPlainEmailIsNormalizeEmail(t *testing.T) {
	check := func(s string) bool {
		t.Helper()
		got, ok := plainEmail(s)
		if !ok {
			return false
		}
		want, err := bulletin.NormalizeEmail(s)
		if err != nil || got != want {
			t.Fatalf("plainEmail(%q) = %q; NormalizeEmail gives %q, %v", s, got, want, err)
		}
		return true
	}
	for _, s := range []string{"reader1@example.org", "Reader.One+news@Example.ORG", "a_b-c@sub.example-1.co.uk",
		"x@1.2.3.4", "A@EXAMPLE.COM"} {
		if !check(s) {
			t.Errorf("plainEmail(%q) left a plain address to the slow path", s)
		}
	}
	for _, s := range []string{"", "@example.org", "a@", "a@example", "a@example.", "a@.example.org", "a@example..org",
		".a@example.org", "a.@example.org", "a..b@example.org", "a@-example.org", "a@example-.org", "a@xn--bcher-kva.example",
		"a@ab--c.example", "a b@example.org", " a@example.org", "a@example.org ", "\"a\"@example.org", "a@b@example.org",
		"ä@example.org", "a@exämple.org", "a@[127.0.0.1]", "a@exa_mple.org", "<a@example.org>", "a@example.org\n",
		strings.Repeat("a", 250) + "@example.org"} {
		if check(s) {
			t.Errorf("plainEmail(%q) took an address it must leave to NormalizeEmail", s)
		}
	}
	// Random addresses over the characters where the rules meet.
	pick := func(rnd *rand.Rand, parts []string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(parts[rnd.IntN(len(parts))])
		}
		return b.String()
	}
	localParts := []string{"a", "b", "Z", "0", "9", "a", "b", ".", "_", "+", "-", "'", "\"", " ", "ä", "@"}
	domainParts := []string{"a", "b", "c", "Z", "0", "a", "b", "c", ".", ".", ".", "-", "--", "xn--", "ä", "_", "[", " "}
	rnd := rand.New(rand.NewPCG(1, 2))
	taken := 0
	for range 1_000_000 {
		if check(pick(rnd, localParts, 1+rnd.IntN(6)) + "@" + pick(rnd, domainParts, 1+rnd.IntN(10))) {
			taken++
		}
	}
	if taken < 2_000 {
		t.Fatalf("only %d random addresses took the shortcut: the comparison proved little", taken)
	}
}
