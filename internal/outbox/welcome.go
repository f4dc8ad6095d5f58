package outbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
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
	t, err := parseEmailTemplate(templates, "email/welcome.txt")
	if err != nil {
		return nil, err
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
	return listMessage(c.BaseURL, p.SenderEmail, p.SenderName, p.ListName, p.Email, "Welcome to "+p.ListName, body.String())
}
