package contrib

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	"text/template"
	"unicode"
)

// Template files, under email/ in the templates FS. Each holds the text of
// the reply and a "subject" definition. An HTML version is optional: put
// the same name with .html.tmpl in BULLETIN_TEMPLATES_DIR and replies
// carry it too.
const (
	tmplAck     = "contribution_ack"
	tmplRefused = "contribution_refused"
	tmplUnknown = "contribution_unknown"
)

// Templates are the parsed reply templates; load them once at start so
// that a broken override stops start-up.
type Templates struct {
	text map[string]*template.Template
	html map[string]*htmltemplate.Template
}

// LoadTemplates parses the reply templates from fsys (templates.Overlay).
func LoadTemplates(fsys fs.FS) (*Templates, error) {
	t := &Templates{text: map[string]*template.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, name := range []string{tmplAck, tmplRefused, tmplUnknown} {
		path := "email/" + name + ".txt.tmpl"
		src, err := fs.ReadFile(fsys, path)
		if err != nil {
			return nil, fmt.Errorf("email templates: %w", err)
		}
		tt, err := template.New(path).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if tt.Lookup("subject") == nil {
			return nil, fmt.Errorf("%s: no {{define \"subject\"}}", path)
		}
		t.text[name] = tt
		path = "email/" + name + ".html.tmpl"
		src, err = fs.ReadFile(fsys, path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("email templates: %w", err)
		}
		ht, err := htmltemplate.New(path).Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		t.html[name] = ht
	}
	return t, nil
}

// Reply is a message to send back. Header always holds
// Auto-Submitted: auto-replied (RFC 3834), so that no well-behaved
// responder answers it, and X-Auto-Response-Suppress for Exchange's.
type Reply struct {
	To      string
	Subject string
	Text    string
	HTML    string // "" unless an HTML template exists
	Header  map[string]string
}

// AckInput describes a contribution that was accepted (Reason == "") or
// refused.
type AckInput struct {
	To          string // the contributor's address
	MessageID   string // of their message, for In-Reply-To; may be ""
	Newsletter  string // its name
	Title       string // the item's title (the stripped Subject)
	ItemURL     string // where they see the item, on /contribute; accepted only
	Reason      string // why it was refused, from Contribution.Item
	Attachments int    // attachments left out
	Unverified  bool   // the sender could not be verified
}

// Ack writes the acknowledgement of an emailed contribution.
func Ack(t *Templates, in AckInput) (Reply, error) {
	name := tmplAck
	if in.Reason != "" {
		name = tmplRefused
	}
	return t.render(name, in.To, in.MessageID, in)
}

// UnknownInput describes mail from an address without an account.
type UnknownInput struct {
	To         string // the sender's (verified) address
	MessageID  string
	Newsletter string
	Contact    string // whom to ask for an account, e.g. the newsletter's reply-to; may be ""
	LoginURL   string
}

// UnknownSenderReply writes the one polite reply to an unknown sender. The
// caller sends it only to verified senders and rate-limits it per address.
func UnknownSenderReply(t *Templates, in UnknownInput) (Reply, error) {
	return t.render(tmplUnknown, in.To, in.MessageID, in)
}

func (t *Templates) render(name, to, msgID string, data any) (Reply, error) {
	r := Reply{To: to, Header: map[string]string{
		"Auto-Submitted":           "auto-replied",
		"X-Auto-Response-Suppress": "All",
	}}
	if id := strings.Trim(msgID, "<>"); id != "" && headerSafe(id) {
		r.Header["In-Reply-To"] = "<" + id + ">"
		r.Header["References"] = "<" + id + ">"
	}
	tt := t.text[name]
	var subj, text bytes.Buffer
	if err := tt.ExecuteTemplate(&subj, "subject", data); err != nil {
		return Reply{}, fmt.Errorf("%s subject: %w", name, err)
	}
	if err := tt.Execute(&text, data); err != nil {
		return Reply{}, fmt.Errorf("%s: %w", name, err)
	}
	r.Subject, r.Text = oneLine(subj.String(), 200), strings.TrimSpace(text.String())+"\n"
	if ht := t.html[name]; ht != nil {
		var html bytes.Buffer
		if err := ht.Execute(&html, data); err != nil {
			return Reply{}, fmt.Errorf("%s html: %w", name, err)
		}
		r.HTML = html.String()
	}
	return r, nil
}

// oneLine makes s fit a header: control characters (a decoded Subject may
// hold a CR LF) become spaces, runs of space shrink, and at most max runes
// remain.
func oneLine(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if rs := []rune(s); len(rs) > max {
		s = string(rs[:max-1]) + "…"
	}
	return s
}

func headerSafe(s string) bool {
	return len(s) < 990 && strings.IndexFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e || r == '<' || r == '>' }) < 0
}
