package smtp

import (
	"bufio"
	"bytes"
	"net/textproto"
	"testing"
)

// writeData must put on the wire exactly what go-mail's DATA writer would.
func TestWriteDataMatchesTheDotWriter(t *testing.T) {
	cases := [][][]byte{
		{[]byte("Subject: x\r\n\r\nbody\r\n")},
		{[]byte(""), []byte("A: b\r\n\r\n.leading dot\r\n..two\r\nmid.dle\r\n.\r\n")},
		{[]byte("DKIM-Signature: v=1\r\n"), []byte(".starts with a dot\r\nbare\nLF\n.after bare\nend")},
		{[]byte("A: b\r\n"), []byte("\r\n"), []byte("no final break")},
		{[]byte("x\r\n"), []byte(".y\r\n\n")},
	}
	for _, parts := range cases {
		var want bytes.Buffer
		dw := textproto.NewWriter(bufio.NewWriter(&want)).DotWriter()
		for _, p := range parts {
			_, _ = dw.Write(p)
		}
		_ = dw.Close()

		var got bytes.Buffer
		tw := textproto.NewWriter(bufio.NewWriter(&got))
		w := tw.DotWriter()
		if err := writeData(tw.W, w, parts...); err != nil {
			t.Fatal(err)
		}
		_ = w.Close()
		if got.String() != want.String() {
			t.Errorf("parts %q:\n got %q\nwant %q", parts, got.String(), want.String())
		}
	}
}
