package smtp

import (
	"crypto/rand"
	"encoding/hex"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
)

// letter is a delivery.Letter encoded once per issue: the header lines
// every message shares, and both body parts in quoted-printable with the
// personal placeholders left open. A message then costs a few header lines
// and the encoding of three short values, not a MIME encoding of 40 KB.
type letter struct {
	envelope string // MAIL FROM
	domain   string // of the Message-ID
	head     string // the shared header lines, CRLF-terminated
	body     *bulletin.Personalizer
	textHead string // boundary and part header before the text part
	htmlHead string // boundary and part header between the parts
	tail     string // the closing boundary
	dkim     *DKIM
	dkimBody *dkimBody // nil: canonicalise each message whole
}

// Prepare checks the letter's header-bound fields and encodes what every
// message of the issue shares.
func (t *Transport) Prepare(l *delivery.Letter) (delivery.Prepared, error) {
	if err := checkLetter(l); err != nil {
		return nil, err
	}
	envelope := t.Envelope
	if envelope == "" {
		envelope = l.FromEmail
	}
	if err := checkAddress("envelope sender", envelope); err != nil {
		return nil, err
	}
	var b strings.Builder
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	boundary := "b" + randomHex()
	header("From", (&mail.Address{Name: l.FromName, Address: l.FromEmail}).String())
	if l.ReplyTo != "" {
		header("Reply-To", (&mail.Address{Address: l.ReplyTo}).String())
	}
	header("Subject", fold(mime.QEncoding.Encode("utf-8", l.Subject)))
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	header("List-Id", l.ListID)
	header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	header("List-Archive", "<"+l.ArchiveURL+">")
	// No User-Agent or X-Mailer: advertising the software helps only spam filters.
	header("Precedence", "bulk")
	header("X-Auto-Response-Suppress", "All")
	part := func(typ string) string {
		return "--" + boundary + "\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: " + typ + "; charset=UTF-8\r\n\r\n"
	}
	out := &letter{
		envelope: envelope,
		domain:   domainOf(l.FromEmail),
		head:     b.String(),
		body:     bulletin.NewPersonalizer(l.HTML, l.Text).Encode(qpPiece),
		textHead: part("text/plain"),
		htmlHead: "\r\n" + part("text/html"),
		tail:     "\r\n--" + boundary + "--\r\n",
		dkim:     t.DKIM,
	}
	if t.DKIM != nil {
		out.dkimBody = newDKIMBody(out.body, out.textHead, out.htmlHead, out.tail)
	}
	return out, nil
}

// signatures returns msg's DKIM-Signature fields ("" without DKIM). msg
// must be what appendTo wrote for r.
func (l *letter) signatures(msg []byte, r *delivery.Recipient) (string, error) {
	if l.dkim == nil || len(l.dkim.Keys) == 0 {
		return "", nil
	}
	var bh []byte
	if l.dkimBody != nil {
		var err error
		if bh, err = l.dkimBody.hash(r.Personal); err != nil {
			return "", err
		}
	} else {
		bh = wholeBodyHash(msg)
	}
	return l.dkim.signatures(msg, bh, time.Now())
}

// Check validates a recipient's header-bound fields.
func (l *letter) Check(r *delivery.Recipient) error { return checkRecipient(r) }

// appendTo appends the whole message to r to dst.
func (l *letter) appendTo(dst []byte, r *delivery.Recipient) []byte {
	dst = append(dst, "Date: "...)
	dst = r.Date.AppendFormat(dst, time.RFC1123Z)
	dst = append(dst, "\r\nTo: "...)
	dst = append(dst, (&mail.Address{Name: r.ToName, Address: r.To}).String()...)
	dst = append(dst, "\r\nMessage-ID: <"...)
	dst = append(dst, randomHex()+"@"+l.domain...)
	dst = append(dst, ">\r\nList-Unsubscribe: <"...)
	dst = append(dst, r.UnsubscribeURL...)
	if r.UnsubscribeMailto != "" {
		dst = append(dst, ">,\r\n <"...)
		dst = append(dst, r.UnsubscribeMailto...)
	}
	dst = append(dst, ">\r\n"...)
	dst = append(dst, l.head...)
	dst = append(dst, "\r\n"...)
	dst = append(dst, l.textHead...)
	dst = l.body.AppendText(dst, r.Personal)
	dst = append(dst, l.htmlHead...)
	dst = l.body.AppendHTML(dst, r.Personal)
	return append(dst, l.tail...)
}

// qpPiece encodes one piece of a body in quoted-printable, starting at
// the beginning of a line and ending with a line break: a soft one unless
// the piece itself ends a line. Pieces encoded apart therefore join into
// one valid quoted-printable body that decodes to the joined pieces.
func qpPiece(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(s)) // a strings.Builder does not fail
	_ = w.Close()
	out := b.String()
	if !strings.HasSuffix(out, "\r\n") {
		out += "=\r\n"
	}
	return out
}

// fold puts each encoded-word of a long header value on its own line.
func fold(v string) string { return strings.ReplaceAll(v, "?= =?", "?=\r\n =?") }

func randomHex() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// checkLetter validates what goes into the shared headers: no CR, LF or NUL
// anywhere (they would inject headers), parseable addresses, and URLs that
// cannot break out of their angle brackets.
func checkLetter(l *delivery.Letter) error {
	if err := noBreaks(map[string]string{"from name": l.FromName, "from address": l.FromEmail, "reply-to": l.ReplyTo,
		"subject": l.Subject, "list id": l.ListID, "archive URL": l.ArchiveURL}); err != nil {
		return err
	}
	if err := checkAddress("from address", l.FromEmail); err != nil {
		return err
	}
	if l.ReplyTo != "" {
		if err := checkAddress("reply-to", l.ReplyTo); err != nil {
			return err
		}
	}
	return checkURL("archive URL", l.ArchiveURL)
}

// checkRecipient validates what one message adds to the headers.
func checkRecipient(r *delivery.Recipient) error {
	if err := noBreaks(map[string]string{"recipient": r.To, "recipient name": r.ToName, "envelope sender": r.Envelope,
		"unsubscribe URL": r.UnsubscribeURL, "unsubscribe mailto": r.UnsubscribeMailto}); err != nil {
		return err
	}
	if err := checkAddress("recipient", r.To); err != nil {
		return err
	}
	if r.Envelope != "" {
		if err := checkAddress("envelope sender", r.Envelope); err != nil {
			return err
		}
	}
	if err := checkURL("unsubscribe URL", r.UnsubscribeURL); err != nil {
		return err
	}
	if r.UnsubscribeMailto == "" {
		return nil // no mailto advertised
	}
	return checkURL("unsubscribe mailto", r.UnsubscribeMailto)
}

func noBreaks(fields map[string]string) error {
	for name, v := range fields {
		if strings.ContainsAny(v, "\r\n\x00") {
			return bulletin.Errorf(bulletin.EINVALID, "%s contains a line break, which would inject an email header", name)
		}
	}
	return nil
}

func checkAddress(name, v string) error {
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
		return bulletin.Errorf(bulletin.EINVALID, "%s %q is not a valid email address", name, v)
	}
	return nil
}

func checkURL(name, v string) error {
	if v == "" || strings.ContainsAny(v, "<> \t,\"") {
		return bulletin.Errorf(bulletin.EINVALID, "%s %q is empty or holds characters not allowed in a header URL", name, v)
	}
	return nil
}

func domainOf(addr string) string {
	return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
}
