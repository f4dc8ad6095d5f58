package inbound

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// maxParts bounds the parts walked in a report, so a crafted message with
// thousands of empty parts costs nothing.
const maxParts = 32

// part is one MIME part, decoded from its transfer encoding.
type part struct {
	Type   string // media type, lower case
	Params map[string]string
	Body   []byte
}

// mediaType parses a Content-Type; a missing or broken one is text/plain,
// as RFC 2045 says.
func mediaType(v string) (string, map[string]string) {
	if v == "" {
		return "text/plain", nil
	}
	t, params, err := mime.ParseMediaType(v)
	if err != nil {
		return "text/plain", nil
	}
	return strings.ToLower(t), params
}

// parts reads the parts of a multipart body, at most maxParts, stopping
// quietly at the first malformed one.
func parts(body []byte, boundary string) []part {
	if boundary == "" {
		return nil
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	var out []part
	for len(out) < maxParts {
		p, err := r.NextRawPart()
		if err != nil {
			break
		}
		data, err := io.ReadAll(p)
		if err != nil {
			break
		}
		t, params := mediaType(p.Header.Get("Content-Type"))
		out = append(out, part{Type: t, Params: params, Body: decodeTransfer(p.Header.Get("Content-Transfer-Encoding"), data)})
	}
	return out
}

// decodeTransfer undoes base64 or quoted-printable; on an error it keeps
// the bytes as they came.
func decodeTransfer(enc string, data []byte) []byte {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, newlineStripper{bytes.NewReader(data)})
	case "quoted-printable":
		r = quotedprintable.NewReader(bytes.NewReader(data))
	default:
		return data
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return data
	}
	return out
}

// newlineStripper drops CR and LF so base64 decoding sees one run.
type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	j := 0
	for _, c := range p[:k] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// headerBlocks splits a message/delivery-status or feedback-report body
// into its blocks of header fields (RFC 3464 §2.1: separated by blank
// lines). Unparseable blocks are skipped.
func headerBlocks(body []byte) []textproto.MIMEHeader {
	body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	var out []textproto.MIMEHeader
	for _, block := range bytes.Split(body, []byte("\n\n")) {
		if len(bytes.TrimSpace(block)) == 0 {
			continue
		}
		r := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(bytes.TrimLeft(block, "\n"), '\n', '\n'))))
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 && (err == nil || err == io.EOF) {
			out = append(out, h)
		}
		if len(out) >= maxParts {
			break
		}
	}
	return out
}

// readHeaders parses the header of an embedded message (message/rfc822 or
// text/rfc822-headers); nil when it cannot.
func readHeaders(body []byte) mail.Header {
	if !bytes.Contains(body, []byte("\n\n")) && !bytes.Contains(body, []byte("\r\n\r\n")) {
		body = append(append([]byte{}, body...), "\r\n\r\n"...)
	}
	m, err := mail.ReadMessage(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	return m.Header
}

// decodeHeader decodes RFC 2047 words; an unknown charset leaves the value
// as it came. The result is always valid UTF-8.
func decodeHeader(v string) string {
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		v = d
	}
	return clean(v)
}

// clean makes s storable as PostgreSQL text: valid UTF-8, no NUL.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// addressOf takes the address out of "rfc822; a@b", "<a@b>" or a
// From header; "" when there is none.
func addressOf(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		v = after
	}
	v = strings.TrimSpace(v)
	if a, err := mail.ParseAddress(v); err == nil {
		return clean(a.Address)
	}
	v = strings.Trim(v, "<> \t")
	if strings.Count(v, "@") == 1 && !strings.ContainsAny(v, " \t,;") {
		return clean(v)
	}
	return ""
}
