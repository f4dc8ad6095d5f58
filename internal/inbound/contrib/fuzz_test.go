package contrib

import (
	"strings"
	"testing"
	"unicode/utf8"

	"bulletin/internal/bulletin"
)

// FuzzParse feeds arbitrary bytes to the parser without Parse's recover, so
// that a panic anywhere below fails. Whatever it accepts must be valid
// UTF-8 with a sender address, and must go through Item without a panic
// and with only content errors.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"From: a@example.org\nSubject: Re: hi\n\nbody\n> quote\n-- \nsig\n",
		"From: a@example.org\nSubject: =?ISO-8859-1?Q?Caf=E9?=\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9\n",
		"From: a@example.org\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n<p><a href=\"https://x.example\">https://x.example</a></p>\n--b--\n",
		"From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--b\nContent-Type: application/pdf\n\nx\n--b--\n",
		"From: a@example.org\nContent-Type: text/plain; charset=x-unknown\n\n\xff\n",
		"From: a@example.org\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nFrom: b@c\n\nx\n--b--\n--a--\n",
		"From: a@example.org\nSubject: x\n\nOn Mon, A wrote:\n> q\nhttps://example.org/x\n-----Original Message-----\nold\n",
		"\x00",
	}
	for _, s := range seeds {
		f.Add([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := parse(raw)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		for _, s := range []string{c.Title, c.Body, c.URL, c.From, c.FromName, c.Subject} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %+v", c)
			}
		}
		if !strings.Contains(c.From, "@") || c.Attachments < 0 {
			t.Fatalf("accepted %+v", c)
		}
		if _, reason, err := c.Item("n"); err != nil {
			if code := bulletin.ErrorCode(err); (code != bulletin.EINVALID && code != bulletin.ETOOLARGE) || reason == "" {
				t.Fatalf("Item error %q (%v), reason %q", code, err, reason)
			}
		}
	})
}
