package smtp_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/smtp"
)

// The body is encoded once per issue and the personal values are spliced
// in per message; what the recipient's client decodes must be exactly what
// personalising the stored issue gives, whatever the content.
func TestBodyDecodesToThePersonalisedIssue(t *testing.T) {
	long := strings.Repeat("Ward budgets: £25,000 each = a lot; ", 12) // one line far past 76 columns
	html := bulletin.PlaceholderName + "<p>" + long + "</p>\n" +
		".\n" + // a line that SMTP must dot-stuff
		"trailing spaces   \n" +
		`<a href="` + bulletin.PlaceholderUnsubscribeURL + `">` + bulletin.PlaceholderName + bulletin.PlaceholderName + "</a>" +
		"<p>ünïcödé — 日本語 — emoji 🎉</p>\n\n" +
		`<a href="` + bulletin.PlaceholderPreferencesURL + `">prefs</a>` + bulletin.PlaceholderName
	text := long + "\nHi " + bulletin.PlaceholderName + ",\n\n.\nLeave: " + bulletin.PlaceholderUnsubscribeURL + "\n"
	for name, personal := range map[string]bulletin.Personal{
		"plain":   {UnsubscribeURL: "https://news.example.org/unsubscribe/tok=123", PreferencesURL: "https://news.example.org/preferences/tok", Name: "Ann"},
		"escaped": {UnsubscribeURL: "https://news.example.org/u?a=1&b=2", Name: `Zoë "<b>bold</b>" O'Neil = ` + strings.Repeat("x", 90)},
		"empty":   {},
	} {
		t.Run(name, func(t *testing.T) {
			st, cfg := server(t)
			tr := &smtp.Transport{SMTP: cfg}
			l, r := letter(), recipient()
			l.HTML, l.Text, r.Personal = html, text, personal
			if _, err := send(t, tr, l, r); err != nil {
				t.Fatal(err)
			}
			data := st.all()[0].Data
			_, body, _ := strings.Cut(string(data), "\r\n\r\n")
			for i, line := range strings.Split(body, "\r\n") {
				if len(line) > 76 {
					t.Errorf("body line %d is %d bytes long, over quoted-printable's 76: %q", i+1, len(line), line)
				}
			}
			msg, err := mail.ReadMessage(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil {
				t.Fatal(err)
			}
			wantHTML, wantText := bulletin.NewPersonalizer(html, text).Apply(personal)
			mr := multipart.NewReader(msg.Body, params["boundary"])
			for _, want := range []string{wantText, wantHTML} {
				p, err := mr.NextPart()
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(p) // multipart decodes quoted-printable
				if err != nil {
					t.Fatal(err)
				}
				if g := strings.ReplaceAll(string(got), "\r\n", "\n"); g != want {
					t.Errorf("%s decodes to\n%q\nwant\n%q", p.Header.Get("Content-Type"), g, want)
				}
			}
			if _, err := mr.NextPart(); err != io.EOF {
				t.Errorf("after two parts: %v, want the end", err)
			}
		})
	}
}
