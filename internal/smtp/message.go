package smtp

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"

	gomail "github.com/wneessen/go-mail"
)

// Check validates every header-bound field of m: no CR or LF anywhere (go-mail
// writes preformatted headers raw, research §1.5), parseable addresses and
// URLs that cannot break out of their angle brackets.
func Check(m *delivery.Message) error {
	for _, f := range []struct{ name, v string }{
		{"from name", m.FromName}, {"from address", m.FromEmail}, {"reply-to", m.ReplyTo},
		{"recipient", m.To}, {"recipient name", m.ToName}, {"subject", m.Subject}, {"list id", m.ListID},
		{"unsubscribe URL", m.UnsubscribeURL}, {"unsubscribe mailto", m.UnsubscribeMailto}, {"archive URL", m.ArchiveURL},
	} {
		if strings.ContainsAny(f.v, "\r\n\x00") {
			return bulletin.Errorf(bulletin.EINVALID, "%s contains a line break, which would inject an email header", f.name)
		}
	}
	for _, a := range []struct{ name, v string }{{"from address", m.FromEmail}, {"recipient", m.To}, {"reply-to", m.ReplyTo}} {
		if a.v == "" && a.name == "reply-to" {
			continue
		}
		if addr, err := mail.ParseAddress(a.v); err != nil || addr.Address != a.v {
			return bulletin.Errorf(bulletin.EINVALID, "%s %q is not a valid email address", a.name, a.v)
		}
	}
	for _, u := range []struct{ name, v string }{{"unsubscribe URL", m.UnsubscribeURL}, {"unsubscribe mailto", m.UnsubscribeMailto}, {"archive URL", m.ArchiveURL}} {
		if u.v == "" || strings.ContainsAny(u.v, "<> \t,\"") {
			return bulletin.Errorf(bulletin.EINVALID, "%s %q is empty or holds characters not allowed in a header URL", u.name, u.v)
		}
	}
	return nil
}

// Build turns m into a go-mail message with SPEC §4's headers. The
// boundary, date and Message-ID are fixed before any DKIM signature so that
// a second serialisation is byte-identical (research §1.7).
func Build(m *delivery.Message, envelopeFrom string) (*gomail.Msg, error) {
	if err := Check(m); err != nil {
		return nil, err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	// No User-Agent/X-Mailer: advertising the library helps only spammers' filters.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithBoundary("b"+id))
	if err := msg.FromFormat(m.FromName, m.FromEmail); err != nil {
		return nil, bulletin.Errorf(bulletin.EINVALID, "from: %v", err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, bulletin.Errorf(bulletin.EINVALID, "recipient: %v", err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, bulletin.Errorf(bulletin.EINVALID, "reply-to: %v", err)
		}
	}
	if envelopeFrom == "" {
		envelopeFrom = m.FromEmail
	}
	if err := msg.EnvelopeFrom(envelopeFrom); err != nil {
		return nil, bulletin.Errorf(bulletin.EINVALID, "envelope sender: %v", err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(m.Date)
	msg.SetMessageIDWithValue(id + "@" + domainOf(m.FromEmail))
	msg.SetBulk() // Precedence: bulk and X-Auto-Response-Suppress: All
	msg.SetGenHeaderPreformatted("List-Id", m.ListID)
	msg.SetGenHeaderPreformatted("List-Unsubscribe", fmt.Sprintf("<%s>, <%s>", m.UnsubscribeURL, m.UnsubscribeMailto))
	msg.SetGenHeaderPreformatted("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	msg.SetGenHeaderPreformatted("List-Archive", "<"+m.ArchiveURL+">")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

func domainOf(addr string) string {
	return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
}
