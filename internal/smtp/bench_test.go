package smtp

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
)

// What one message costs the sender before SMTP: the issue is encoded once
// (Prepare); per recipient the headers are written and the three personal
// values are spliced in. With DKIM, the signature is most of the cost.
//
//	go test ./internal/smtp -run '^$' -bench . -benchmem
func BenchmarkMessage(b *testing.B) {
	var h, t strings.Builder
	for i := range 40 {
		h.WriteString(`<tr><td style="padding:12px 24px;font-family:Georgia,serif;font-size:16px;line-height:1.5;color:#222">` +
			`<h2 style="margin:0 0 8px;font-size:20px">Ward budgets open for ideas until 5 December</h2>` +
			`<p style="margin:0 0 12px">Every ward has £25,000 to spend next year. Hi ` + bulletin.PlaceholderName + `!</p></td></tr>`)
		t.WriteString("Ward budgets open for ideas until 5 December\n\nEvery ward has £25,000 to spend next year.\n\n")
		_ = i
	}
	h.WriteString(`<a href="` + bulletin.PlaceholderUnsubscribeURL + `">Unsubscribe</a>`)
	l := &delivery.Letter{FromName: "The Editors", FromEmail: "news@example.org", Subject: "Weekly update 61: highlights",
		HTML: h.String(), Text: t.String(), ListID: "Weekly <weekly.example.org>", ArchiveURL: "https://news.example.org/archive/weekly/"}
	r := &delivery.Recipient{To: "ann@example.net", ToName: "Ann Example", UnsubscribeURL: "https://news.example.org/unsubscribe/tok",
		UnsubscribeMailto: "mailto:news@example.org?subject=unsubscribe%20tok",
		Personal:          bulletin.Personal{UnsubscribeURL: "https://news.example.org/unsubscribe/tok", Name: "Ann"}, Date: time.Now()}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		name string
		dkim *DKIM
	}{{"plain", nil}, {"dkim-rsa2048", &DKIM{"example.org", "s", rsaKey}}, {"dkim-ed25519", &DKIM{"example.org", "s", edKey}}} {
		b.Run(c.name, func(b *testing.B) {
			p, err := (&Transport{}).Prepare(l)
			if err != nil {
				b.Fatal(err)
			}
			var buf []byte
			for b.Loop() {
				buf = p.(*letter).appendTo(buf[:0], r)
				if c.dkim != nil {
					if _, err := c.dkim.sign(buf); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
