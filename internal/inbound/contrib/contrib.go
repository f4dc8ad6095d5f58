// Package contrib turns an emailed contribution into the fields of an item
// and writes the replies Bulletin sends about it. It is pure: the inbound
// role stores the message, finds the contributor and creates the item.
//
// What Parse takes from a message:
//   - the title is the Subject without its Re:/Fwd:/Fw:/AW:/WG: prefixes;
//   - the body is the first text/plain part, or else the first text/html
//     part converted to Markdown, without quoted replies ("> " lines, the
//     "On … wrote:" line before them, everything after Outlook's
//     "-----Original Message-----" or its From:/Sent: block) and without
//     the signature (everything after a "-- " line);
//   - the first line that holds nothing but an http(s) link becomes the URL
//     and leaves the body;
//   - attachments are counted, never read.
//
// Text in a charset go-message knows (ISO-8859-x, windows-125x, …) is
// decoded to UTF-8. Text that claims UTF-8 or ASCII but is not is read as
// windows-1252, which is what such mail almost always is. A charset nobody
// knows is an error unless the text happens to be valid UTF-8.
package contrib

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decodes ISO-8859-x, windows-125x and the rest
	"github.com/emersion/go-message/mail"
)

// Contribution is what a message contributes.
type Contribution struct {
	Title       string // Subject, prefixes stripped; may be "" (Check refuses it)
	Body        string // Markdown
	URL         string // "" when no line holds a lone link
	Attachments int    // parts that are not the body, never imported
	From        string // the sender's address, as written
	FromName    string // the display name, decoded
	MessageID   string // without angle brackets; "" when absent
	Subject     string // the Subject as sent, decoded, for "Re:" in replies
	FromHTML    bool   // Body was converted from the HTML part
}

// Parse reads raw, a whole RFC 5322 message. It fails, with an error a
// contributor can understand, only when the message cannot be read at all:
// a broken header, no usable From, an unreadable body.
func Parse(raw []byte) (c Contribution, err error) {
	// A bug in a library below must not take the inbound role down with
	// it. FuzzParse calls parse directly, so that it still sees panics.
	defer func() {
		if r := recover(); r != nil {
			c, err = Contribution{}, fmt.Errorf("message could not be read: %v", r)
		}
	}()
	return parse(raw)
}

func parse(raw []byte) (c Contribution, err error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return c, errors.New("empty message")
	}
	ent, readErr := message.Read(bytes.NewReader(raw))
	if readErr != nil && !message.IsUnknownCharset(readErr) && !message.IsUnknownEncoding(readErr) {
		return c, fmt.Errorf("message header could not be read: %v", readErr)
	}
	h := mail.Header{Header: ent.Header}
	if c.From, c.FromName, err = from(h); err != nil {
		return c, err
	}
	c.Subject = headerText(ent.Header, "Subject")
	c.Title = StripSubjectPrefixes(c.Subject)
	if id, err := h.MessageID(); err == nil {
		c.MessageID = id
	}
	parts, err := readParts(ent, readErr)
	if err != nil {
		return c, err
	}
	c.Attachments = parts.attachments
	body := parts.plain
	if !parts.hasPlain && parts.hasHTML {
		if body, err = htmlToMarkdown(parts.html); err != nil {
			return c, err
		}
		c.FromHTML = true
	}
	c.Body, c.URL = ExtractURL(CleanBody(body))
	return c, nil
}

// from returns the single From address and its display name.
func from(h mail.Header) (string, string, error) {
	if len(h.Values("From")) != 1 {
		return "", "", fmt.Errorf("message has %d From headers, want exactly 1", len(h.Values("From")))
	}
	addrs, err := h.AddressList("From")
	if err != nil {
		return "", "", fmt.Errorf("the From header could not be read: %v", err)
	}
	if len(addrs) != 1 {
		return "", "", fmt.Errorf("the From header must hold exactly one address, has %d", len(addrs))
	}
	if !strings.Contains(addrs[0].Address, "@") {
		return "", "", fmt.Errorf("the From header holds no email address")
	}
	return addrs[0].Address, strings.TrimSpace(addrs[0].Name), nil
}

// headerText decodes a header's encoded words; when a charset is unknown it
// keeps the raw text, made valid UTF-8.
func headerText(h message.Header, key string) string {
	s, err := h.Text(key)
	if err != nil {
		s = h.Get(key)
	}
	return toUTF8([]byte(s))
}
