package smtp

import (
	"bytes"
	"strings"
)

// DKIM "relaxed" canonicalisation (RFC 6376 §3.4.2 and §3.4.4), written
// for the sender's shape of work: the body is canonicalised in pieces that
// each hold whole CRLF-terminated lines, so fixed pieces are done once per
// issue and only the personal ones per message.

// appendRelaxedBody appends the relaxed form of s, whole CRLF-terminated
// lines: runs of spaces and tabs become one space, and those at the end of
// a line go. Trailing empty lines are not removed here: the caller's last
// piece (the closing MIME boundary) is never empty.
func appendRelaxedBody(dst []byte, s string) []byte {
	for len(s) > 0 {
		line := s
		rest := ""
		if i := strings.Index(s, "\r\n"); i >= 0 {
			line, rest = s[:i], s[i+2:]
		}
		dst = appendCollapsed(dst, line)
		dst = append(dst, '\r', '\n')
		s = rest
	}
	return dst
}

// appendCollapsed appends s with every run of WSP made one space and
// trailing WSP dropped.
func appendCollapsed(dst []byte, s string) []byte {
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			dst = append(dst, ' ')
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// headerField is one field of a message's header block, as sent.
type headerField struct {
	name string // as written
	raw  []byte // the whole field without its final CRLF, folds included
}

// splitHeader returns the fields of the header block at the start of msg
// (up to the empty line).
func splitHeader(msg []byte) []headerField {
	var out []headerField
	for len(msg) > 0 {
		if bytes.HasPrefix(msg, []byte("\r\n")) {
			break // the empty line ending the header
		}
		end := 0
		for {
			i := bytes.Index(msg[end:], []byte("\r\n"))
			if i < 0 {
				end = len(msg)
				break
			}
			end += i + 2
			if end >= len(msg) || (msg[end] != ' ' && msg[end] != '\t') {
				break
			}
		}
		field := bytes.TrimSuffix(msg[:end], []byte("\r\n"))
		if colon := bytes.IndexByte(field, ':'); colon > 0 {
			out = append(out, headerField{name: string(field[:colon]), raw: field})
		}
		msg = msg[end:]
	}
	return out
}

// appendRelaxedHeader appends the relaxed form of one header field:
// lower-case name, no folds, WSP runs made one space, none around the
// colon or at the ends, and CRLF unless last is set (the DKIM-Signature
// field being signed is hashed without one).
func appendRelaxedHeader(dst []byte, raw []byte, last bool) []byte {
	colon := bytes.IndexByte(raw, ':')
	name := bytes.TrimRight(raw[:colon], " \t")
	for _, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	dst = append(dst, ':')
	value := bytes.ReplaceAll(raw[colon+1:], []byte("\r\n"), nil)
	dst = appendCollapsed(dst, strings.TrimLeft(string(value), " \t"))
	if !last {
		dst = append(dst, '\r', '\n')
	}
	return dst
}
