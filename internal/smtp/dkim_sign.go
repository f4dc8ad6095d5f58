package smtp

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"bulletin/internal/bulletin"
)

// dkimBody is an issue's DKIM body hash, worked out once: the relaxed
// body up to the first personal value is hashed and the SHA-256 state
// saved; every later fixed piece is canonicalised here. A message then
// resumes the state and hashes the rest, canonicalising only its three
// personal values. Without it, every message canonicalised 40 KB again.
type dkimBody struct {
	prefix []byte      // marshalled SHA-256 state after the fixed start
	rest   []bodyPiece // what follows, in order
	p      *bulletin.Personalizer
}

// bodyPiece is a canonical fixed piece (value < 0) or a personal value of
// the text or HTML part.
type bodyPiece struct {
	fixed []byte
	value int
	html  bool
}

// newDKIMBody plans the body hash for a letter whose body is textHead,
// the text part, htmlHead, the HTML part and tail. Every piece holds whole
// CRLF-terminated lines (qpPiece makes them so), which is what lets each
// be canonicalised alone; if that ever fails to hold, nil is returned and
// messages are canonicalised whole.
func newDKIMBody(p *bulletin.Personalizer, textHead, htmlHead, tail string) *dkimBody {
	var pieces []bodyPiece
	fixed := func(s string) bool {
		if s == "" {
			return true
		}
		if !strings.HasSuffix(s, "\r\n") {
			return false
		}
		if n := len(pieces); n > 0 && pieces[n-1].value < 0 {
			pieces[n-1].fixed = appendRelaxedBody(pieces[n-1].fixed, s)
		} else {
			pieces = append(pieces, bodyPiece{fixed: appendRelaxedBody(nil, s), value: -1})
		}
		return true
	}
	text, html := p.Segments()
	part := func(segs []bulletin.Segment, isHTML bool) bool {
		for _, s := range segs {
			if !fixed(s.Lit) {
				return false
			}
			if s.Value >= 0 {
				pieces = append(pieces, bodyPiece{value: s.Value, html: isHTML})
			}
		}
		return true
	}
	if !fixed(textHead) || !part(text, false) || !fixed(htmlHead) || !part(html, true) || !fixed(tail) || tail == "" {
		return nil
	}
	h := sha256.New()
	if len(pieces) > 0 && pieces[0].value < 0 {
		h.Write(pieces[0].fixed)
		pieces = pieces[1:]
	}
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil
	}
	return &dkimBody{prefix: state, rest: pieces, p: p}
}

// hash returns the body hash of one recipient's message.
func (b *dkimBody) hash(v bulletin.Personal) ([]byte, error) {
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(b.prefix); err != nil {
		return nil, fmt.Errorf("dkim: body hash state: %w", err)
	}
	text, html := b.p.Values(v)
	var scratch []byte
	for _, piece := range b.rest {
		switch {
		case piece.value < 0:
			h.Write(piece.fixed)
		case piece.html:
			scratch = appendRelaxedBody(scratch[:0], html[piece.value])
			h.Write(scratch)
		default:
			scratch = appendRelaxedBody(scratch[:0], text[piece.value])
			h.Write(scratch)
		}
	}
	return h.Sum(nil), nil
}

// wholeBodyHash canonicalises and hashes a message's body as sent: the
// path for a letter that newDKIMBody could not plan.
func wholeBodyHash(msg []byte) []byte {
	body := msg
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		body = msg[i+4:]
	}
	c := appendRelaxedBody(nil, string(body))
	for bytes.HasSuffix(c, []byte("\r\n\r\n")) {
		c = c[:len(c)-2]
	}
	if bytes.Equal(c, []byte("\r\n")) {
		c = nil
	}
	sum := sha256.Sum256(c)
	return sum[:]
}

// signatures returns the DKIM-Signature fields for msg (header and body,
// without any signature), one per key, each ending in CRLF. bodyHash is
// the message's relaxed body hash.
func (d *DKIM) signatures(msg, bodyHash []byte, now time.Time) (string, error) {
	fields := splitHeader(msg)
	var names []string
	var canon []byte
	for _, want := range signedHeaders {
		// The bottom-most field of a name is the one a verifier takes first.
		for i := len(fields) - 1; i >= 0; i-- {
			if strings.EqualFold(fields[i].name, want) {
				canon = appendRelaxedHeader(canon, fields[i].raw, false)
				names = append(names, strings.ToLower(want))
				break
			}
		}
	}
	bh := base64.StdEncoding.EncodeToString(bodyHash)
	var out strings.Builder
	for _, k := range d.Keys {
		field := "DKIM-Signature: v=1; a=" + k.algorithm() + "; c=relaxed/relaxed; d=" + d.Domain +
			"; s=" + k.Selector + ";\r\n t=" + strconv.FormatInt(now.Unix(), 10) +
			"; h=" + strings.Join(names, ":") + ";\r\n bh=" + bh + ";\r\n b="
		h := sha256.New()
		h.Write(canon)
		h.Write(appendRelaxedHeader(nil, []byte(field), true))
		sig, err := signDigest(k.Key, h)
		if err != nil {
			return "", fmt.Errorf("dkim: sign with selector %s: %w", k.Selector, err)
		}
		out.WriteString(field)
		out.WriteString(foldBase64(base64.StdEncoding.EncodeToString(sig)))
		out.WriteString("\r\n")
	}
	return out.String(), nil
}

// signDigest signs the SHA-256 of the header data: PKCS#1 v1.5 for RSA;
// for Ed25519, RFC 8463 signs that 32-byte digest itself (pure Ed25519).
func signDigest(key crypto.Signer, h hash.Hash) ([]byte, error) {
	digest := h.Sum(nil)
	if _, ok := key.(ed25519.PrivateKey); ok {
		return key.Sign(rand.Reader, digest, crypto.Hash(0))
	}
	return key.Sign(rand.Reader, digest, crypto.SHA256)
}

// foldBase64 breaks a long b= value over lines; verifiers drop the whole
// value, folds included, before hashing.
func foldBase64(s string) string {
	const width = 72
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width])
		b.WriteString("\r\n ")
		s = s[width:]
	}
	b.WriteString(s)
	return b.String()
}
