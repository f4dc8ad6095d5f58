package outbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	netmail "net/mail"
	"net/url"
	"strings"
	"text/template"

	"bulletin/internal/bulletin"

	"github.com/wneessen/go-mail"
)

// Welcome renders bulletin.MailWelcome: the plain-text welcome email from
// templates' email/welcome.txt (overridable like the others).
type Welcome struct {
	BaseURL string // public URL, no trailing slash
	tmpl    *template.Template
}

// NewWelcome parses the template, so that a broken one stops start-up.
func NewWelcome(templates fs.FS, baseURL string) (*Welcome, error) {
	body, err := fs.ReadFile(templates, "email/welcome.txt")
	if err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	t, err := template.New("email/welcome.txt").Parse(string(body))
	if err != nil {
		return nil, fmt.Errorf("email/welcome.txt: %w", err)
	}
	return &Welcome{BaseURL: baseURL, tmpl: t}, nil
}

// Render builds the message.
func (c *Welcome) Render(payload []byte) (*mail.Msg, error) {
	var p bulletin.WelcomeMail
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	data := map[string]any{
		"List":           p.ListName,
		"Email":          p.Email,
		"UnsubscribeURL": c.BaseURL + "/unsubscribe/" + url.PathEscape(p.Token),
		"PreferencesURL": c.BaseURL + "/preferences/" + url.PathEscape(p.Token),
		"ArchiveURL":     "",
	}
	if p.Newsletter != "" {
		data["ArchiveURL"] = c.BaseURL + "/archive/" + url.PathEscape(p.Newsletter) + "/"
	}
	var body bytes.Buffer
	if err := c.tmpl.Execute(&body, data); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	from, fromName := p.SenderEmail, p.SenderName
	if from == "" {
		from = "no-reply@" + hostOf(c.BaseURL)
	}
	if fromName == "" {
		fromName = p.ListName
	}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	fromAddr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", from, err)
	}
	fromAddr.Name = fromName
	m.SetAddrHeaderFromMailAddress(mail.HeaderFrom, fromAddr)
	if err := m.To(p.Email); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	m.Subject("Welcome to " + p.ListName)
	var id [12]byte
	rand.Read(id[:])
	m.SetMessageIDWithValue(hex.EncodeToString(id[:]) + "@" + from[strings.LastIndexByte(from, '@')+1:])
	m.SetDate()
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, body.String())
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
