package content

import (
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

func TestPrepareItemRejects(t *testing.T) {
	long := strings.Repeat("é", bulletin.MaxTitleLen+1)
	for _, tc := range []struct {
		name string
		it   bulletin.Item
		code string
		msg  string
	}{
		{"empty title", bulletin.Item{Title: "  "}, bulletin.EINVALID, "title: required"},
		{"title CR", bulletin.Item{Title: "a\rBcc: x@y"}, bulletin.EINVALID, "title: must not contain a line break"},
		{"title LF", bulletin.Item{Title: "a\nb"}, bulletin.EINVALID, "line break"},
		{"title U+2028", bulletin.Item{Title: "a\u2028b"}, bulletin.EINVALID, "line break"},
		{"title NUL", bulletin.Item{Title: "a\x00b"}, bulletin.EINVALID, "control characters"},
		{"title too long", bulletin.Item{Title: long}, bulletin.EINVALID, "title: 201 characters, at most 200"},
		{"title invalid UTF-8", bulletin.Item{Title: "a\xffb"}, bulletin.EINVALID, "title: not valid UTF-8"},
		{"title markup", bulletin.Item{Title: "<b>Hi</b>"}, bulletin.EINVALID, "title: must be plain text"},
		{"title script", bulletin.Item{Title: "x<script>alert(1)</script>"}, bulletin.EINVALID, "plain text"},
		{"title comment", bulletin.Item{Title: "x<!-- y -->"}, bulletin.EINVALID, "plain text"},
		{"source LF", bulletin.Item{Title: "t", Source: "Jane\nBcc: x"}, bulletin.EINVALID, "source: must not contain a line break"},
		{"source markup", bulletin.Item{Title: "t", Source: "<img src=x onerror=alert(1)>"}, bulletin.EINVALID, "source: must be plain text"},
		{"url javascript", bulletin.Item{Title: "t", URL: "javascript:alert(1)"}, bulletin.EINVALID, "url: must start with http"},
		{"url data", bulletin.Item{Title: "t", URL: "data:text/html,<script>"}, bulletin.EINVALID, "url:"},
		{"url relative", bulletin.Item{Title: "t", URL: "/x"}, bulletin.EINVALID, "url:"},
		{"url no host", bulletin.Item{Title: "t", URL: "https:///x"}, bulletin.EINVALID, "url: has no host"},
		{"url space", bulletin.Item{Title: "t", URL: "https://a.org/x y"}, bulletin.EINVALID, "spaces"},
		{"url too long", bulletin.Item{Title: "t", URL: "https://a.org/" + strings.Repeat("x", bulletin.MaxURLLen)}, bulletin.EINVALID, "url: longer"},
		{"kind", bulletin.Item{Title: "t", Kind: "poem"}, bulletin.EINVALID, "kind: must be"},
		{"link without url", bulletin.Item{Title: "t", Kind: "link"}, bulletin.EINVALID, "url: required for a link"},
		{"body invalid UTF-8", bulletin.Item{Title: "t", Body: "\xc3\x28"}, bulletin.EINVALID, "body: not valid UTF-8"},
		{"body NUL", bulletin.Item{Title: "t", Body: "a\x00"}, bulletin.EINVALID, "body: must not contain NUL"},
		{"body too large", bulletin.Item{Title: "t", Body: strings.Repeat("a", bulletin.MaxBodyBytes+1)}, bulletin.ETOOLARGE, "body: 65537 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := tc.it
			err := PrepareItem(&it)
			if bulletin.ErrorCode(err) != tc.code || !strings.Contains(bulletin.ErrorMessage(err), tc.msg) {
				t.Fatalf("err = %v, want %s containing %q", err, tc.code, tc.msg)
			}
		})
	}
}

func TestPrepareItemAccepts(t *testing.T) {
	it := bulletin.Item{
		Title:  "  Budget < 5% — «ünïcode» 🎉 ",
		Source: "By Jane Smith, The Guardian",
		URL:    " https://example.org/a?b=c ",
		Body:   "Hello **world**, see https://example.org/x\n\n- one\n- two",
	}
	if err := PrepareItem(&it); err != nil {
		t.Fatal(err)
	}
	if it.Title != "Budget < 5% — «ünïcode» 🎉" || it.URL != "https://example.org/a?b=c" || it.Kind != bulletin.KindArticle {
		t.Fatalf("not normalised: %+v", it)
	}
	for _, want := range []string{"<strong>world</strong>", `<a href="https://example.org/x" rel="nofollow">`, "<li>one</li>"} {
		if !strings.Contains(it.BodyHTML, want) {
			t.Errorf("body_html %q lacks %q", it.BodyHTML, want)
		}
	}
	title := strings.Repeat("é", bulletin.MaxTitleLen)
	if _, err := PlainText("title", title, bulletin.MaxTitleLen); err != nil {
		t.Errorf("a title of exactly %d characters: %v", bulletin.MaxTitleLen, err)
	}
	if _, err := RenderBody(strings.Repeat("a", bulletin.MaxBodyBytes)); err != nil {
		t.Errorf("a body of exactly %d bytes: %v", bulletin.MaxBodyBytes, err)
	}
}

// The attacks a contributor may try never survive into body_html.
func TestRenderBodyRemovesScripts(t *testing.T) {
	for _, md := range []string{
		"<script>alert(1)</script>",
		"hi <script>alert(1)</script> there",
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[click](java\tscript:alert(1))",
		"<a href=\"javascript:alert(1)\">x</a>",
		"![x](javascript:alert(1))",
		"<img src=x onerror=alert(1)>",
		"<p onclick=\"alert(1)\">x</p>",
		"<style>body{display:none}</style>",
		"<div style=\"background:url(javascript:alert(1))\">x</div>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"<svg onload=alert(1)>",
		"[x](data:text/html;base64,PHNjcmlwdD4=)",
		"<<script>script>alert(1)<</script>/script>",
		"```\n<script>alert(1)</script>\n```",
		"`<script>`",
	} {
		html, err := RenderBody(md)
		if err != nil {
			t.Fatalf("%q: %v", md, err)
		}
		if problem := unsafeHTML(html); problem != "" {
			t.Errorf("%q rendered as %q: %s", md, html, problem)
		}
	}
}

func TestNote(t *testing.T) {
	if n, err := Note("  Please add a source.\nThanks  "); err != nil || n != "Please add a source.\nThanks" {
		t.Fatalf("Note = %q, %v", n, err)
	}
	if _, err := Note(strings.Repeat("x", MaxNoteLen+1)); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("long note: %v", err)
	}
	if _, err := Note("<script>x</script>"); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("markup note: %v", err)
	}
}
