package inbound_test

import (
	"testing"

	"bulletin/internal/inbound"
)

// FuzzClassify: whatever arrives, the classifier returns a known kind and
// text PostgreSQL can store, and never panics.
//
//	go test -run '^$' -fuzz FuzzClassify -fuzztime 60s ./internal/inbound/
func FuzzClassify(f *testing.F) {
	a := addrs()
	verp := a.Bounce(7, 42)
	f.Add(verp, dsnMessage(verp, "gone@example.com", "failed", "5.1.1", "smtp; 550 5.1.1 nope", "<m@x>"))
	f.Add("fbl@"+domain, arfMessage("fbl@"+domain, verp, "<https://x/unsubscribe/tok>", "r@example.com"))
	f.Add(verp, qmailBounce(verp, "gone@example.com"))
	f.Add("contribute@"+domain, plainMessage("a@b.c", "contribute@"+domain, "Re: Fwd: x", "Auto-Submitted: no\n", "body"))
	f.Add(a.Unsubscribe("tok"), []byte("Subject: unsubscribe\r\n\r\n"))
	f.Add("x@"+domain, []byte("Content-Type: multipart/report; boundary=\"a\"\r\n\r\n--a\r\nContent-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n--a--\r\n"))
	kinds := map[string]bool{}
	for _, k := range inbound.Kinds() {
		kinds[k] = true
	}
	f.Fuzz(func(t *testing.T, rcpt string, raw []byte) {
		for _, from := range []string{"", "sender@example.com"} {
			c := inbound.Classify(inbound.Envelope{MailFrom: from, RcptTo: rcpt}, raw, a)
			if !kinds[c.Kind] {
				t.Fatalf("unknown kind %q", c.Kind)
			}
			checkValidUTF8(t, c)
		}
	})
}
