package smtp

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
)

// benchLetter is a 40-item issue (~17 KB encoded) with a name near the top
// and the unsubscribe link at the end, as the real template has them.
func benchLetter() (*delivery.Letter, *delivery.Recipient) {
	var h, t strings.Builder
	h.WriteString("<p>Hi " + bulletin.PlaceholderName + "!</p>")
	t.WriteString("Hi " + bulletin.PlaceholderName + "!\n\n")
	for range 40 {
		h.WriteString(`<tr><td style="padding:12px 24px;font-family:Georgia,serif;font-size:16px;line-height:1.5;color:#222">` +
			`<h2 style="margin:0 0 8px;font-size:20px">Ward budgets open for ideas until 5 December</h2>` +
			`<p style="margin:0 0 12px">Every ward has £25,000 to spend next year.</p></td></tr>`)
		t.WriteString("Ward budgets open for ideas until 5 December\n\nEvery ward has £25,000 to spend next year.\n\n")
	}
	h.WriteString(`<a href="` + bulletin.PlaceholderUnsubscribeURL + `">Unsubscribe</a>`)
	t.WriteString("Unsubscribe: " + bulletin.PlaceholderUnsubscribeURL + "\n")
	l := &delivery.Letter{FromName: "The Editors", FromEmail: "news@example.org", Subject: "Weekly update 61: highlights",
		HTML: h.String(), Text: t.String(), ListID: "Weekly <weekly.example.org>", ArchiveURL: "https://news.example.org/archive/weekly/"}
	r := &delivery.Recipient{To: "ann@example.net", ToName: "Ann Example", UnsubscribeURL: "https://news.example.org/unsubscribe/tok",
		UnsubscribeMailto: "mailto:news@example.org?subject=unsubscribe%20tok",
		Personal:          bulletin.Personal{UnsubscribeURL: "https://news.example.org/unsubscribe/tok", Name: "Ann"}, Date: time.Now()}
	return l, r
}

func benchKeys(b *testing.B) (rsaKey, edKey DKIMKey) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	_, ek, _ := ed25519.GenerateKey(rand.Reader)
	return DKIMKey{"rsa", rk}, DKIMKey{"ed", ek}
}

// What one message costs the sender before SMTP: the issue is encoded once
// (Prepare); per recipient the headers are written, the three personal
// values spliced in and, with DKIM, the body hash finished and the header
// signed. "bare-rsa2048" is one rsa.SignPKCS1v15 of a SHA-256 digest: the
// floor for any RSA-signing sender.
//
//	go test ./internal/smtp -run '^$' -bench Message -benchmem
func BenchmarkMessage(b *testing.B) {
	l, r := benchLetter()
	rk, ek := benchKeys(b)
	b.Run("bare-rsa2048", func(b *testing.B) {
		digest := sha256.Sum256([]byte("x"))
		for b.Loop() {
			if _, err := rsa.SignPKCS1v15(nil, rk.Key.(*rsa.PrivateKey), crypto.SHA256, digest[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name string
		keys []DKIMKey
	}{{"plain", nil}, {"dkim-rsa2048", []DKIMKey{rk}}, {"dkim-ed25519", []DKIMKey{ek}}, {"dkim-rsa2048+ed25519", []DKIMKey{rk, ek}}} {
		b.Run(c.name, func(b *testing.B) {
			tr := &Transport{}
			if c.keys != nil {
				tr.DKIM = &DKIM{Domain: "example.org", Keys: c.keys}
			}
			p, err := tr.Prepare(l)
			if err != nil {
				b.Fatal(err)
			}
			lt := p.(*letter)
			var buf []byte
			for b.Loop() {
				buf = lt.appendTo(buf[:0], r)
				if _, err := lt.signatures(buf, r); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
