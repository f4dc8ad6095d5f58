package contrib

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

// BenchmarkParse measures a typical multipart/alternative contribution with
// a quoted reply and an attachment; "mime-only" is go-message reading the
// same parts and nothing else, the limit Parse cannot beat.
func BenchmarkParse(b *testing.B) {
	raw := crlf(`From: Ann Example <ann@example.org>
Subject: Re: Fwd: A faster build cache
Message-ID: <abc.123@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

We cut CI time in half with this. ` + strings.Repeat("More words here. ", 40) + `

https://example.org/build-cache

On Thu, Dec 3, 2026 at 9:00 AM Editor <editor@bulletin.example> wrote:
> Send us your news.
--inner
Content-Type: text/html; charset=utf-8

<p>We cut CI time in half with this.</p><p><a href="https://example.org/build-cache">https://example.org/build-cache</a></p>
--inner--
--outer
Content-Type: application/pdf; name="slides.pdf"
Content-Disposition: attachment; filename="slides.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer--
`)
	b.Run("full", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mime-only", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			ent, err := message.Read(bytes.NewReader(raw))
			if err != nil {
				b.Fatal(err)
			}
			err = ent.Walk(func(_ []int, e *message.Entity, _ error) error {
				if e.MultipartReader() == nil {
					_, err := io.Copy(io.Discard, e.Body)
					return err
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
