package outbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	netmail "net/mail"
	"net/url"
	"strings"
	"text/template"

	"github.com/wneessen/go-mail"
)

// parseEmailTemplate reads and parses one plain-text email template, so
// that a broken one stops start-up.
func parseEmailTemplate(templates fs.FS, name string) (*template.Template, error) {
	body, err := fs.ReadFile(templates, name)
	if err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	t, err := template.New(name).Parse(string(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// listMessage is a list's automatic plain-text email to one reader: From
// the list's sender (no-reply@ the base URL's host when it has none),
// marked Auto-Submitted.
func listMessage(baseURL, senderEmail, senderName, listName, to, subject, body string) (*mail.Msg, error) {
	from, fromName := senderEmail, senderName
	if from == "" {
		from = "no-reply@" + hostOf(baseURL)
	}
	if fromName == "" {
		fromName = listName
	}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	// FromFormat wraps the name in quotes unescaped, so a list name holding
	// a '"' broke the header; net/mail quotes or encodes it.
	fromAddr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", from, err)
	}
	fromAddr.Name = fromName
	m.SetAddrHeaderFromMailAddress(mail.HeaderFrom, fromAddr)
	if err := m.To(to); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	m.Subject(subject)
	var id [12]byte
	rand.Read(id[:])
	m.SetMessageIDWithValue(hex.EncodeToString(id[:]) + "@" + from[strings.LastIndexByte(from, '@')+1:])
	m.SetDate()
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, body)
	return m, nil
}

// hostOf is the host of a base URL, for a fallback From address.
func hostOf(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}
