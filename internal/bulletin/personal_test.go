package bulletin_test

import (
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

func TestPersonalizer(t *testing.T) {
	h := `<p>Hi __BULLETIN_NAME__,</p><a href="__BULLETIN_UNSUBSCRIBE_URL__">u</a><a href="__BULLETIN_PREFERENCES_URL__">p</a>__BULLETIN_NAME__`
	x := "Hi __BULLETIN_NAME__,\nUnsubscribe: __BULLETIN_UNSUBSCRIBE_URL__\n"
	p := bulletin.NewPersonalizer(h, x)
	tests := []struct {
		name     string
		in       bulletin.Personal
		wantHTML string
		wantText string
	}{
		{"plain", bulletin.Personal{UnsubscribeURL: "https://b.example/unsubscribe/t1?a=1&b=2", PreferencesURL: "https://b.example/preferences/t1", Name: "Ana"},
			`<p>Hi Ana,</p><a href="https://b.example/unsubscribe/t1?a=1&amp;b=2">u</a><a href="https://b.example/preferences/t1">p</a>Ana`,
			"Hi Ana,\nUnsubscribe: https://b.example/unsubscribe/t1?a=1&b=2\n"},
		{"markup in name is escaped in HTML only", bulletin.Personal{UnsubscribeURL: "https://x/u", PreferencesURL: "https://x/p", Name: `<b>"Bo" & Co</b>`},
			`<p>Hi &lt;b&gt;&#34;Bo&#34; &amp; Co&lt;/b&gt;,</p><a href="https://x/u">u</a><a href="https://x/p">p</a>&lt;b&gt;&#34;Bo&#34; &amp; Co&lt;/b&gt;`,
			"Hi <b>\"Bo\" & Co</b>,\nUnsubscribe: https://x/u\n"},
		{"empty name, unsafe urls", bulletin.Personal{UnsubscribeURL: "javascript:alert(1)", PreferencesURL: "https://x/p\"onmouseover=1", Name: "Line\r\nBreak"},
			`<p>Hi Line Break,</p><a href="#">u</a><a href="#">p</a>Line Break`,
			"Hi Line Break,\nUnsubscribe: #\n"},
		{"neutral", bulletin.Personal{},
			`<p>Hi there,</p><a href="#">u</a><a href="#">p</a>there`, "Hi there,\nUnsubscribe: #\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotHTML, gotText := p.Apply(tt.in)
			if gotHTML != tt.wantHTML {
				t.Errorf("html\n got %s\nwant %s", gotHTML, tt.wantHTML)
			}
			if gotText != tt.wantText {
				t.Errorf("text\n got %q\nwant %q", gotText, tt.wantText)
			}
			if strings.Contains(gotHTML+gotText, "__BULLETIN_") {
				t.Error("a placeholder survived")
			}
		})
	}
}

func TestPersonalizerNoPlaceholders(t *testing.T) {
	h, x := bulletin.NewPersonalizer("<p>static</p>", "static").Apply(bulletin.Personal{Name: "A"})
	if h != "<p>static</p>" || x != "static" {
		t.Fatalf("got %q %q", h, x)
	}
}
