package postgres

import (
	"encoding/binary"
	"testing"

	"bulletin/internal/bulletin"
)

// appendFolded writes the same key as bulletin.FoldEmail, which the rest
// of the code matches addresses by.
func TestAppendFoldedIsFoldEmail(t *testing.T) {
	for _, email := range []string{"", "ann@example.org", "Ann@Example.ORG", "ÄRGER@example.org",
		"zoë.Ü@xn--bcher-kva.example", "[AZaz@_`{]@x.y", "\xff\xfeA@b.c"} {
		b := appendFolded(nil, email)
		if n := binary.BigEndian.Uint32(b); int(n) != len(b)-4 {
			t.Fatalf("%q: length %d for %d bytes", email, n, len(b)-4)
		}
		if got, want := string(b[4:]), bulletin.FoldEmail(email); got != want {
			t.Errorf("appendFolded(%q) = %q, FoldEmail gives %q", email, got, want)
		}
	}
}
