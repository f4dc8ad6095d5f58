package contrib

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"golang.org/x/text/encoding/charmap"
)

// Limits on a message's structure; real contributions are far below them.
const (
	maxParts     = 200
	maxTextBytes = 4 << 20 // per text part, decoded
)

type parts struct {
	plain, html       string
	hasPlain, hasHTML bool
	attachments       int
}

// readParts walks the MIME tree: inline text/plain and text/html parts are
// kept (several of one type are joined, as Apple Mail splits text around
// inline images); every other leaf counts as an attachment.
// rootErr is what message.Read said about the top entity, which Walk does
// not pass on.
func readParts(root *message.Entity, rootErr error) (parts, error) {
	var p parts
	var fatal error
	n := 0
	walkErr := root.Walk(func(path []int, e *message.Entity, err error) error {
		if path == nil {
			err = rootErr
		}
		if n++; n > maxParts {
			fatal = fmt.Errorf("more than %d MIME parts", maxParts)
			return fatal
		}
		if e.MultipartReader() != nil {
			return nil
		}
		mediaType, params := contentType(e.Header)
		if disposition(e.Header) == "attachment" || (mediaType != "text/plain" && mediaType != "text/html") {
			p.attachments++
			return nil
		}
		text, terr := readText(e, params["charset"], err)
		if terr != nil {
			fatal = terr
			return fatal
		}
		if mediaType == "text/plain" {
			p.plain, p.hasPlain = join(p.plain, text), true
		} else {
			p.html, p.hasHTML = join(p.html, text), true
		}
		return nil
	})
	// A broken multipart structure after the text (a missing final
	// boundary, say) costs nothing worth refusing the message for.
	if fatal != nil || (walkErr != nil && !p.hasPlain && !p.hasHTML) {
		return p, fmt.Errorf("message body could not be read: %w", walkErr)
	}
	return p, nil
}

// contentType is the part's media type and parameters. A Content-Type
// that does not parse counts as text/plain with the charset unknown, as
// RFC 2045 (5.2) says, unless the type itself is still legible.
func contentType(h message.Header) (string, map[string]string) {
	t, params, err := h.ContentType()
	if err == nil {
		return t, params
	}
	t = strings.ToLower(strings.TrimSpace(strings.SplitN(h.Get("Content-Type"), ";", 2)[0]))
	if strings.Count(t, "/") != 1 || strings.ContainsAny(t, " \t\"") {
		t = "text/plain"
	}
	return t, nil
}

// disposition is "attachment", "inline" or "", read leniently.
func disposition(h message.Header) string {
	d := strings.SplitN(h.Get("Content-Disposition"), ";", 2)[0]
	return strings.ToLower(strings.TrimSpace(d))
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n\n" + b
}

// errCharset marks text in a charset that cannot be decoded.
var errCharset = errors.New("unknown charset")

// readText reads a text part that go-message has already decoded from its
// transfer encoding and, when it knew the charset, to UTF-8.
func readText(e *message.Entity, charset string, partErr error) (string, error) {
	b, err := io.ReadAll(io.LimitReader(e.Body, maxTextBytes+1))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil // a message cut short: keep what arrived
	}
	if err != nil {
		return "", fmt.Errorf("text part could not be decoded: %v", err)
	}
	if len(b) > maxTextBytes {
		return "", fmt.Errorf("text part larger than %d bytes", maxTextBytes)
	}
	if message.IsUnknownCharset(partErr) && !utf8.Valid(b) {
		return "", fmt.Errorf("%w %q: send the message as UTF-8", errCharset, charset)
	}
	if message.IsUnknownEncoding(partErr) {
		return "", fmt.Errorf("unknown Content-Transfer-Encoding %q", e.Header.Get("Content-Transfer-Encoding"))
	}
	return toUTF8(b), nil
}

// toUTF8 returns b as a string, reading it as windows-1252 when it is not
// valid UTF-8: mail that claims UTF-8 or ASCII and is not is almost always
// that. NUL bytes are dropped.
func toUTF8(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		dec, err := charmap.Windows1252.NewDecoder().String(s)
		if err != nil {
			dec = strings.ToValidUTF8(s, "\uFFFD")
		}
		s = dec
	}
	return strings.ReplaceAll(s, "\x00", "")
}
