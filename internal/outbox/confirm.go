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

// Confirmation renders bulletin.MailConfirm: the plain-text double opt-in
// email from templates' email/confirm.txt. Names and addresses reach
// headers only through go-mail's address parsing and encoded Subject.
type Confirmation struct {
	BaseURL string // public URL, no trailing slash
	tmpl    *template.Template
}

// NewConfirmation parses the template, so that a broken one stops start-up.
func NewConfirmation(templates fs.FS, baseURL string) (*Confirmation, error) {
	body, err := fs.ReadFile(templates, "email/confirm.txt")
	if err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	t, err := template.New("email/confirm.txt").Parse(string(body))
	if err != nil {
		return nil, fmt.Errorf("email/confirm.txt: %w", err)
	}
	return &Confirmation{BaseURL: baseURL, tmpl: t}, nil
}

// Render builds the message.
func (c *Confirmation) Render(payload []byte) (*mail.Msg, error) {
	var p bulletin.ConfirmMail
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	var body bytes.Buffer
	err := c.tmpl.Execute(&body, map[string]any{
		"List":  p.ListName,
		"Email": p.Email,
		"URL":   c.BaseURL + "/confirm/" + p.Token,
		"Hours": int(bulletin.ConfirmTTL.Hours()),
	})
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	from, fromName := p.SenderEmail, p.SenderName
	if from == "" {
		from = "no-reply@" + c.mailDomain()
	}
	if fromName == "" {
		fromName = p.ListName
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
	if err := m.To(p.Email); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	m.Subject("Confirm your subscription to " + p.ListName)
	var id [12]byte
	rand.Read(id[:])
	m.SetMessageIDWithValue(hex.EncodeToString(id[:]) + "@" + from[strings.LastIndexByte(from, '@')+1:])
	m.SetDate()
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, body.String())
	return m, nil
}

// mailDomain is the host of BaseURL, for a fallback From address.
func (c *Confirmation) mailDomain() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}
