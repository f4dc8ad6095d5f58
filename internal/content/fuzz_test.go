package content

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"bulletin/internal/bulletin"

	"golang.org/x/net/html"
)

// FuzzPrepareItem feeds arbitrary contributions through the validate and
// sanitise path. Whatever it accepts must be plain one-line text and HTML
// without scripts, styles, event handlers or script URLs.
func FuzzPrepareItem(f *testing.F) {
	f.Add("Title", "Hello **world**", "https://example.org", "Jane", "article")
	f.Add("x", "<script>alert(1)</script>", "", "", "")
	f.Add("x", "[a](javascript:alert(1))", "", "", "")
	f.Add("x", "<img src=x onerror=alert(1)>", "", "", "")
	f.Add("x", "<style>*{}</style>", "", "", "link")
	f.Fuzz(func(t *testing.T, title, body, url, source, kind string) {
		it := bulletin.Item{Title: title, Body: body, URL: url, Source: source, Kind: kind}
		if err := PrepareItem(&it); err != nil {
			if c := bulletin.ErrorCode(err); c != bulletin.EINVALID && c != bulletin.ETOOLARGE {
				t.Fatalf("error of code %q: %v", c, err)
			}
			return
		}
		for _, s := range []string{it.Title, it.Source} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("accepted plain text %q", s)
			}
		}
		if it.URL != "" && !strings.HasPrefix(it.URL, "http://") && !strings.HasPrefix(it.URL, "https://") {
			t.Fatalf("accepted url %q", it.URL)
		}
		if !utf8.ValidString(it.BodyHTML) {
			t.Fatalf("body_html not UTF-8: %q", it.BodyHTML)
		}
		if p := unsafeHTML(it.BodyHTML); p != "" {
			t.Fatalf("body %q rendered as %q: %s", body, it.BodyHTML, p)
		}
	})
}

// unsafeHTML tokenises s as a browser would and describes the first element,
// attribute or URL that could run script or restyle the page; "" if none.
func unsafeHTML(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return ""
			}
			return fmt.Sprintf("tokenizer: %v", z.Err())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "style", "iframe", "object", "embed", "svg", "math", "form", "link", "meta", "base":
				return "element <" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" {
					return "attribute " + a.Key
				}
				if key == "href" || key == "src" || key == "action" || key == "formaction" || key == "xlink:href" {
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' || r == 0x7f {
							return -1 // browsers ignore these inside a scheme
						}
						return r
					}, a.Val))
					if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:") {
						return key + "=" + a.Val
					}
				}
			}
		}
	}
}
