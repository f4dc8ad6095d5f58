// Package verify decides whether an incoming message's From address can be
// believed: an aligned DKIM signature that verifies, or a dmarc=pass from
// a trusted receiving MTA. It is pure apart from the TXT lookups, which go
// through a replaceable resolver.
package verify

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"net/textproto"
	"strings"

	"golang.org/x/net/idna"
)

// Methods reported in Result.Method.
const (
	MethodDKIM    = "dkim"
	MethodDMARCAR = "dmarc-ar"
)

// Options configures Sender.
type Options struct {
	// Resolver returns the TXT records of name; nil uses the system
	// resolver. Tests serve their own DKIM keys through it.
	Resolver func(ctx context.Context, name string) ([]string, error)
	// AuthServID is the authserv-id of the MTA whose Authentication-Results
	// are trusted (BULLETIN_INBOUND_AUTHSERV_ID). Empty trusts none.
	AuthServID string
}

// Result says whether the sender was verified, how, and for which domain.
// Reason explains the outcome in words fit for a log or an admin page.
type Result struct {
	Verified bool
	Method   string // MethodDKIM, MethodDMARCAR or "" when not verified
	Domain   string // the From domain
	Reason   string
}

// maxSignatures bounds the DKIM signatures checked, each costing a lookup.
const maxSignatures = 5

// Sender checks raw (a whole RFC 5322 message) and never fails: anything
// malformed is simply not verified, with the reason.
//
// The From header must hold exactly one address. Then, in order:
//   - the topmost Authentication-Results header whose authserv-id is
//     opts.AuthServID (that MTA's own, as it removes forged ones above it)
//     says dmarc=pass with header.from equal to the From domain;
//   - or a DKIM signature verifies, covers From (go-msgauth insists) and its
//     d= has the same organisational domain as From (DMARC's relaxed
//     alignment), the organisational domain taken from the public suffix
//     list.
func Sender(ctx context.Context, raw []byte, opts Options) Result {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Result{Reason: "empty message"}
	}
	hdr, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil && !(errors.Is(err, io.EOF) && len(hdr) > 0) {
		return Result{Reason: "malformed header: " + err.Error()}
	}
	domain, err := fromDomain(hdr)
	if err != nil {
		return Result{Reason: err.Error()}
	}
	res := Result{Domain: domain}
	var reasons []string
	if ok, why := dmarcPass(hdr, domain, opts.AuthServID); ok {
		res.Verified, res.Method, res.Reason = true, MethodDMARCAR, why
		return res
	} else if why != "" {
		reasons = append(reasons, why)
	}
	if ok, why := dkimAligned(ctx, raw, domain, opts.Resolver); ok {
		res.Verified, res.Method, res.Reason = true, MethodDKIM, why
		return res
	} else {
		reasons = append(reasons, why)
	}
	res.Reason = strings.Join(reasons, "; ")
	return res
}

// fromDomain returns the lower-case ASCII domain of the single From
// address. Display names in unknown charsets do not matter here, so the
// word decoder passes their bytes through.
func fromDomain(h textproto.MIMEHeader) (string, error) {
	froms := h.Values("From")
	if len(froms) != 1 {
		return "", fmt.Errorf("message has %d From headers, want 1", len(froms))
	}
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{
		CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil },
	}}
	addrs, err := p.ParseList(froms[0])
	if err != nil {
		return "", fmt.Errorf("the From header could not be read: %v", err)
	}
	if len(addrs) != 1 {
		return "", fmt.Errorf("the From header has %d addresses, want 1", len(addrs))
	}
	at := strings.LastIndexByte(addrs[0].Address, '@')
	d, err := idna.Lookup.ToASCII(strings.TrimSuffix(addrs[0].Address[at+1:], "."))
	if err != nil || d == "" {
		return "", fmt.Errorf("the From domain %q is not a valid domain name", addrs[0].Address[at+1:])
	}
	return strings.ToLower(d), nil
}

func defaultResolver(ctx context.Context, name string) ([]string, error) {
	return net.DefaultResolver.LookupTXT(ctx, name)
}
