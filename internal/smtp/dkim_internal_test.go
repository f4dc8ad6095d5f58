package smtp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
)

// The planned body hash (fixed pieces canonicalised once per issue) must
// equal the hash of the whole message canonicalised as a verifier does.
func TestPlannedBodyHashMatchesTheWholeBody(t *testing.T) {
	bodies := []struct{ html, text string }{
		{"<p>Hi " + bulletin.PlaceholderName + "</p>", "Hi " + bulletin.PlaceholderName + "\n"},
		{bulletin.PlaceholderName + "a  \t b   \n\n\n" + bulletin.PlaceholderUnsubscribeURL, bulletin.PlaceholderName},
		{strings.Repeat("x ", 200) + bulletin.PlaceholderPreferencesURL + bulletin.PlaceholderName, "\n\n \t \n"},
		{"no placeholders at all", "none\r\nhere \r\n"},
		{"", ""},
	}
	people := []bulletin.Personal{
		{UnsubscribeURL: "https://x.example/u?a=1&b=2", PreferencesURL: "https://x.example/p", Name: "  Zoë   O'Neil =  "},
		{},
	}
	for i, b := range bodies {
		tr := &Transport{DKIM: &DKIM{Domain: "example.org"}}
		p, err := tr.Prepare(&delivery.Letter{FromName: "N", FromEmail: "news@example.org", Subject: "S",
			HTML: b.html, Text: b.text, ListID: "L <l.example.org>", ArchiveURL: "https://x.example/a"})
		if err != nil {
			t.Fatal(err)
		}
		l := p.(*letter)
		if l.dkimBody == nil {
			t.Fatalf("body %d: no plan", i)
		}
		for _, v := range people {
			msg := l.appendTo(nil, &delivery.Recipient{To: "a@example.net", UnsubscribeURL: "https://x.example/u",
				UnsubscribeMailto: "mailto:u@example.org", Personal: v, Date: time.Now()})
			planned, err := l.dkimBody.hash(v)
			if err != nil {
				t.Fatal(err)
			}
			if whole := wholeBodyHash(msg); !bytes.Equal(planned, whole) {
				t.Errorf("body %d, %+v: planned hash %x, whole-body hash %x", i, v, planned, whole)
			}
		}
	}
}

func TestRelaxedCanonicalisation(t *testing.T) {
	if got := string(appendRelaxedBody(nil, "a  \t b \t\r\n\r\n c\r\n")); got != "a b\r\n\r\n c\r\n" {
		t.Errorf("body: %q", got)
	}
	got := string(appendRelaxedHeader(nil, []byte("SUBJect \t:  Hello \r\n\t  world  "), false))
	if got != "subject:Hello world\r\n" {
		t.Errorf("header: %q", got)
	}
}
