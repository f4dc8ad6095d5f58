package verify

import (
	"context"
	"strings"
	"testing"
)

// FuzzSender: no input panics, and nothing unsigned and without a trusted
// Authentication-Results header is ever verified.
func FuzzSender(f *testing.F) {
	k := newKeyring(f)
	f.Add([]byte(k.sign(f, "ed", "example.org", message("ann@example.org"))), "")
	f.Add([]byte(message("ann@example.org")), "mx.bulletin.example")
	f.Add([]byte(message("ann@example.org", "Authentication-Results: mx.bulletin.example; dmarc=pass header.from=example.org")), "mx.bulletin.example")
	f.Add([]byte("From: a@b\r\nDKIM-Signature: v=1; a=rsa-sha256; d=b; s=x; h=from; bh=; b=\r\n\r\nx"), "")
	f.Fuzz(func(t *testing.T, raw []byte, authID string) {
		res := Sender(context.Background(), raw, Options{Resolver: k.Resolve, AuthServID: authID})
		if res.Verified && res.Method == "" || res.Verified && res.Domain == "" {
			t.Fatalf("verified without a method: %+v", res)
		}
		if res.Verified && res.Method == MethodDMARCAR && (authID == "" || !strings.Contains(strings.ToLower(string(raw)), "dmarc=pass")) {
			t.Fatalf("dmarc-ar without a trusted pass: %+v", res)
		}
		if !res.Verified && res.Reason == "" {
			t.Fatalf("not verified without a reason: %+v", res)
		}
	})
}
