package bulletin

import (
	"html"
	"slices"
	"strings"
)

// Placeholders stand in the stored issue snapshot for the parts that differ
// per recipient. They are plain [A-Z_] tokens so that html/template, premailer
// and quoted-printable all pass them through untouched; they are replaced per
// message by a Personalizer with values escaped for their context. The
// archive replaces them with neutral values.
const (
	PlaceholderUnsubscribeURL = "__BULLETIN_UNSUBSCRIBE_URL__"
	PlaceholderPreferencesURL = "__BULLETIN_PREFERENCES_URL__"
	PlaceholderName           = "__BULLETIN_NAME__"
)

// DefaultName greets a recipient whose name is unknown ("Hi there,").
const DefaultName = "there"

// Personal holds one recipient's values for the placeholders. The URLs are
// built by the caller (base URL + subscriber token) and must be absolute
// http(s) or mailto URLs; anything else becomes "#". Name is free text; ""
// becomes DefaultName.
type Personal struct {
	UnsubscribeURL string
	PreferencesURL string
	Name           string
}

// Personalizer fills in one issue's placeholders for each recipient. Build it
// once per issue with NewPersonalizer (the snapshot is scanned once) and call
// Apply per message; it is safe for concurrent use. Apply HTML-escapes values
// in the HTML part and leaves them raw in the text part.
type Personalizer struct {
	html, text []segment
	enc        func(string) string // applied to every value; nil = none (see Encode)
}

// segment is literal text followed by a placeholder (ph = -1: none).
type segment struct {
	lit string
	ph  int
}

// placeholders lists the tokens in the order of the value arrays in Apply.
func placeholders() [3]string {
	return [3]string{PlaceholderUnsubscribeURL, PlaceholderPreferencesURL, PlaceholderName}
}

// NewPersonalizer prepares the stored HTML and text of one issue.
func NewPersonalizer(htmlBody, textBody string) *Personalizer {
	return &Personalizer{html: split(htmlBody), text: split(textBody)}
}

// Apply returns the recipient's HTML and text.
func (p *Personalizer) Apply(v Personal) (htmlBody, textBody string) {
	return string(p.AppendHTML(nil, v)), string(p.AppendText(nil, v))
}

// AppendHTML appends the recipient's HTML to dst, values HTML-escaped.
func (p *Personalizer) AppendHTML(dst []byte, v Personal) []byte {
	vals := values(v)
	for i, s := range vals {
		vals[i] = html.EscapeString(s)
	}
	return p.join(dst, p.html, vals)
}

// AppendText appends the recipient's text to dst.
func (p *Personalizer) AppendText(dst []byte, v Personal) []byte {
	return p.join(dst, p.text, values(v))
}

// Encode returns a Personalizer whose output is enc applied piece by piece:
// to each literal once, here, and to each value per message. It is how an
// issue is put into a transfer encoding once rather than once per
// recipient; enc must be such that enc(a)+enc(b) decodes to a+b (the SMTP
// package passes quoted-printable with a soft line break after each piece).
func (p *Personalizer) Encode(enc func(string) string) *Personalizer {
	mapped := func(segs []segment) []segment {
		out := make([]segment, len(segs))
		for i, s := range segs {
			out[i] = segment{lit: enc(s.lit), ph: s.ph}
		}
		return out
	}
	return &Personalizer{html: mapped(p.html), text: mapped(p.text), enc: enc}
}

// values are the recipient's values in placeholder order, made safe.
func values(v Personal) [3]string {
	raw := [3]string{safeURL(v.UnsubscribeURL), safeURL(v.PreferencesURL), oneLine(v.Name)}
	if raw[2] == "" {
		raw[2] = DefaultName
	}
	return raw
}

func split(s string) []segment {
	var out []segment
	tokens := placeholders()
	for {
		at, ph := -1, -1
		for i, tok := range tokens {
			if j := strings.Index(s, tok); j >= 0 && (at < 0 || j < at) {
				at, ph = j, i
			}
		}
		if at < 0 {
			return append(out, segment{lit: s, ph: -1})
		}
		out = append(out, segment{lit: s[:at], ph: ph})
		s = s[at+len(tokens[ph]):]
	}
}

func (p *Personalizer) join(dst []byte, segs []segment, vals [3]string) []byte {
	if p.enc != nil {
		for i, v := range vals {
			vals[i] = p.enc(v)
		}
	}
	n := 0
	for _, s := range segs {
		n += len(s.lit)
		if s.ph >= 0 {
			n += len(vals[s.ph])
		}
	}
	dst = slices.Grow(dst, n)
	for _, s := range segs {
		dst = append(dst, s.lit...)
		if s.ph >= 0 {
			dst = append(dst, vals[s.ph]...)
		}
	}
	return dst
}

// safeURL keeps a personal link from becoming a script or breaking out of
// its line: only http(s) and mailto URLs without whitespace pass.
func safeURL(u string) string {
	l := strings.ToLower(u)
	if !(strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "mailto:")) ||
		strings.ContainsAny(u, " \t\r\n\"'<>") {
		return "#"
	}
	return u
}

// oneLine flattens a name to one line of printable text.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == '\r' || r == '\n' || r == '\t' || r == ' ' || r < 0x20 || r == 0x7f
	}), " ")
}

// Segment is one literal piece of a prepared part followed by the index of
// a placeholder value (Value -1: none), as Walk yields them.
type Segment struct {
	Lit   string
	Value int
}

// Segments returns the text and HTML parts as literal pieces and value
// indexes, for callers that process a message piece by piece (the DKIM
// body hash canonicalises the literals once per issue). The literals are
// already encoded when p came from Encode.
func (p *Personalizer) Segments() (text, htmlPart []Segment) {
	conv := func(segs []segment) []Segment {
		out := make([]Segment, len(segs))
		for i, s := range segs {
			out[i] = Segment{Lit: s.lit, Value: s.ph}
		}
		return out
	}
	return conv(p.text), conv(p.html)
}

// Values returns one recipient's values for the text and HTML parts, made
// safe and encoded exactly as AppendText and AppendHTML write them.
func (p *Personalizer) Values(v Personal) (text, htmlPart [3]string) {
	text, htmlPart = values(v), values(v)
	for i, s := range htmlPart {
		htmlPart[i] = html.EscapeString(s)
	}
	if p.enc != nil {
		for i := range text {
			text[i], htmlPart[i] = p.enc(text[i]), p.enc(htmlPart[i])
		}
	}
	return text, htmlPart
}
