package outbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
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
	t, err := parseEmailTemplate(templates, "email/confirm.txt")
	if err != nil {
		return nil, err
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
	return listMessage(c.BaseURL, p.SenderEmail, p.SenderName, p.ListName, p.Email, "Confirm your subscription to "+p.ListName, body.String())
}
