package outbox

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"text/template"

	"bulletin/internal/bulletin"

	"github.com/wneessen/go-mail"
)

// NoticeKinds are the account and notification kinds Notice renders.
var NoticeKinds = []string{bulletin.MailInvite, bulletin.MailAccountKnown, bulletin.MailReset,
	bulletin.MailDigest, bulletin.MailReviewed, bulletin.MailPublished, bulletin.MailSendReport}

// Notice renders one kind of bulletin.NoticeMail from templates'
// email/<kind>.txt.tmpl, which defines "subject" and writes the body. A
// template sees the payload's Values, .Name, .To and .URL (BaseURL joined
// with Values.Path) and .BaseURL. Plain text only: these are short
// messages to the people who run the newsletter.
type Notice struct {
	BaseURL string
	From    string // the From address; "" = no-reply@ the BaseURL's host
	tmpl    *template.Template
}

// NewNotices parses the template of every notice kind, so that a broken
// one, built in or overridden, stops start-up.
func NewNotices(templates fs.FS, baseURL, from string) (map[string]Renderer, error) {
	out := map[string]Renderer{}
	for _, kind := range NoticeKinds {
		path := "email/" + kind + ".txt.tmpl"
		src, err := fs.ReadFile(templates, path)
		if err != nil {
			return nil, fmt.Errorf("email templates: %w", err)
		}
		t, err := template.New(path).Option("missingkey=zero").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if t.Lookup("subject") == nil {
			return nil, fmt.Errorf("%s: no {{define \"subject\"}}", path)
		}
		n := &Notice{BaseURL: baseURL, From: from, tmpl: t}
		if n.From == "" {
			n.From = "no-reply@" + hostOf(baseURL)
		}
		out[kind] = n
	}
	return out, nil
}

// Render builds the message.
func (n *Notice) Render(payload []byte) (*mail.Msg, error) {
	var p bulletin.NoticeMail
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	data := map[string]any{}
	for k, v := range p.Values {
		data[k] = v
	}
	data["Name"], data["To"], data["BaseURL"] = p.Name, p.To, n.BaseURL
	if path, ok := p.Values["Path"].(string); ok {
		data["URL"] = n.BaseURL + path
	}
	var subject, body bytes.Buffer
	if err := n.tmpl.ExecuteTemplate(&subject, "subject", data); err != nil {
		return nil, fmt.Errorf("render subject: %w", err)
	}
	if err := n.tmpl.Execute(&body, data); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	// 8bit: links stay whole in the message as sent (quoted-printable
	// would break lines longer than 76 characters).
	m := mail.NewMsg(mail.WithNoDefaultUserAgent(), mail.WithEncoding(mail.NoEncoding))
	if err := m.FromFormat("Bulletin", n.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", n.From, err)
	}
	if err := m.To(p.To); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	m.Subject(strings.Join(strings.Fields(subject.String()), " "))
	var id [12]byte
	rand.Read(id[:])
	m.SetMessageIDWithValue(hex.EncodeToString(id[:]) + "@" + n.From[strings.LastIndexByte(n.From, '@')+1:])
	m.SetDate()
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, body.String())
	return m, nil
}
