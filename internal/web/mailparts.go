package web

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
)

// mailParts is a message split for display.
type mailParts struct {
	Headers    []mailHeader
	HTML, Text string
	Err        string // why the message could not be read, if it could not
}

type mailHeader struct{ Name, Value string }

// shownHeaders are the headers the viewer lists, in this order.
var shownHeaders = []string{"From", "To", "Reply-To", "Subject", "Date", "Message-Id", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Archive", "Precedence", "Dkim-Signature"}

// parseMail reads a raw RFC 5322 message and finds its first text/html and
// text/plain parts, decoding transfer encodings, through nested multiparts.
func parseMail(raw []byte) mailParts {
	var p mailParts
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		p.Err = err.Error()
		return p
	}
	dec := new(mime.WordDecoder)
	for _, name := range shownHeaders {
		if v := msg.Header.Get(name); v != "" {
			if d, err := dec.DecodeHeader(v); err == nil {
				v = d
			}
			p.Headers = append(p.Headers, mailHeader{name, v})
		}
	}
	if err := p.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0); err != nil {
		p.Err = err.Error()
	}
	return p
}

func (p *mailParts) walk(ctype, cte string, body io.Reader, depth int) error {
	if ctype == "" {
		ctype = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") && depth < 5 {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart() // decodes quoted-printable itself
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := p.walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part, depth+1); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(strings.TrimSpace(cte), "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body) // skips line breaks itself
	}
	b, err := io.ReadAll(io.LimitReader(body, 4<<20))
	if err != nil {
		return err
	}
	switch {
	case mt == "text/html" && p.HTML == "":
		p.HTML = string(b)
	case mt == "text/plain" && p.Text == "":
		p.Text = string(b)
	}
	return nil
}
