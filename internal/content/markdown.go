package content

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"bulletin/internal/bulletin"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// renderer is built once and only read afterwards: goldmark and bluemonday
// are both safe for concurrent use once configured.
type renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

var sharedRenderer = sync.OnceValue(func() *renderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	return &renderer{
		// goldmark's default renderer omits raw HTML and drops javascript:
		// links; bluemonday is the second, independent layer.
		md:     goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough, extension.Table)),
		policy: p,
	}
})

// RenderBody checks a Markdown body (at most MaxBodyBytes, valid UTF-8, no
// NUL) and returns its sanitised HTML; "" for an empty body.
func RenderBody(md string) (string, error) {
	if len(md) > bulletin.MaxBodyBytes {
		return "", bulletin.Errorf(bulletin.ETOOLARGE, "body: %d bytes, at most %d allowed", len(md), bulletin.MaxBodyBytes)
	}
	if !utf8.ValidString(md) {
		return "", bulletin.Errorf(bulletin.EINVALID, "body: not valid UTF-8")
	}
	if strings.IndexByte(md, 0) >= 0 {
		return "", bulletin.Errorf(bulletin.EINVALID, "body: must not contain NUL characters")
	}
	if strings.TrimSpace(md) == "" {
		return "", nil
	}
	return sharedRenderer().render(md)
}

func (r *renderer) render(md string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(md), &buf); err != nil {
		return "", bulletin.Errorf(bulletin.EINVALID, "body: not valid Markdown")
	}
	return r.policy.Sanitize(buf.String()), nil
}

// SanitizeHTML runs HTML from elsewhere (an email-in body, an old import)
// through the same policy as item bodies.
func SanitizeHTML(html string) string { return sharedRenderer().policy.Sanitize(html) }
