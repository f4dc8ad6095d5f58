package delivery_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"bulletin/internal/fixture"
)

// sink is the fixture's SMTP sink: a real go-smtp server that counts what
// each recipient received and can be scripted to refuse or drop.
type sink = fixture.SMTPSink

func newSink(t testing.TB) *sink { return fixture.NewSMTPSink(t) }

// readable is a received message as its recipient's client shows it: the
// header block, then each part decoded from its transfer encoding.
func readable(t testing.TB, data []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v", err)
	}
	head, _, _ := strings.Cut(string(data), "\r\n\r\n")
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	out := []string{head}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return strings.Join(out, "\n\n")
		}
		if err != nil {
			t.Fatalf("received message: %v", err)
		}
		b, err := io.ReadAll(p) // decodes quoted-printable
		if err != nil {
			t.Fatalf("received message part: %v", err)
		}
		out = append(out, string(b))
	}
}
