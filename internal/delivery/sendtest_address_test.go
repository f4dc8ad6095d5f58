package delivery_test

import (
	"context"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
)

// Issue 16, defect 7: test sends accepted x@localhost, a@[127.0.0.1] and
// addresses over 254 characters. They now get the subscriber address rules
// (bulletin.NormalizeEmail) before anything is looked up or sent: the
// Service here has no store and no transport, so passing the check would
// panic.
func TestSendTestRefusesBadAddresses(t *testing.T) {
	s := &delivery.Service{}
	for _, addr := range []string{"x@localhost", "a@[127.0.0.1]", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".org",
		"Jane <jane@example.org>", "jane@example.org\r\nBcc: x@example.org", ""} {
		_, err := s.SendTest(context.Background(), "weekly", 1, addr)
		if bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("test send to %q: %v, want EINVALID", addr, err)
		}
	}
}
