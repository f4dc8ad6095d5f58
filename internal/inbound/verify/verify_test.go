package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// keyring signs as selector._domainkey.domain and serves the public keys
// through its Resolve method, as DNS would.
type keyring struct {
	records map[string]string
	signers map[string]crypto.Signer
}

func newKeyring(t testing.TB) *keyring {
	t.Helper()
	k := &keyring{records: map[string]string{}, signers: map[string]crypto.Signer{}}
	for _, d := range []string{"example.org", "mail.example.org", "evil.example", "co.uk"} {
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(&rk.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		k.add("rsa", d, rk, "v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(der))
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k.add("ed", d, priv, "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(pub))
	}
	return k
}

func (k *keyring) add(sel, domain string, s crypto.Signer, rec string) {
	k.records[sel+"._domainkey."+domain] = rec
	k.signers[sel+"/"+domain] = s
}

func (k *keyring) Resolve(_ context.Context, name string) ([]string, error) {
	if r, ok := k.records[strings.TrimSuffix(name, ".")]; ok {
		return []string{r}, nil
	}
	return nil, errors.New("no such host")
}

func (k *keyring) sign(t testing.TB, sel, domain, msg string) string {
	t.Helper()
	var out bytes.Buffer
	opts := &dkim.SignOptions{Domain: domain, Selector: sel, Signer: k.signers[sel+"/"+domain],
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed}
	if err := dkim.Sign(&out, strings.NewReader(msg), opts); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func message(from string, extra ...string) string {
	h := strings.Join(append([]string{"From: " + from, "To: contribute@bulletin.example", "Subject: A new tool",
		"Date: Thu, 03 Dec 2026 09:00:00 +0000", "Message-ID: <m1@example.org>"}, extra...), "\r\n")
	return h + "\r\n\r\nHello,\r\n\r\nhttps://example.org/tool\r\n"
}

func TestSender(t *testing.T) {
	k := newKeyring(t)
	const trusted = "mx.bulletin.example"
	cases := []struct {
		name   string
		raw    string
		authID string
		want   bool
		method string
		reason string // part of the Reason
	}{
		{"RSA, same domain", k.sign(t, "rsa", "example.org", message("Ann <ann@example.org>")), "", true, MethodDKIM, "d=example.org verifies"},
		{"Ed25519, subdomain signs for parent", k.sign(t, "ed", "mail.example.org", message("ann@example.org")), "", true, MethodDKIM, "aligns"},
		{"parent signs for subdomain", k.sign(t, "rsa", "example.org", message("ann@lists.EXAMPLE.org")), "", true, MethodDKIM, "aligns"},
		{"encoded display name", k.sign(t, "ed", "example.org", message("=?ISO-8859-1?Q?J=F6rg?= <jorg@example.org>")), "", true, MethodDKIM, "verifies"},
		{"forged From, signed by another domain", k.sign(t, "rsa", "evil.example", message("ceo@example.org")), "", false, "", "not aligned"},
		{"public suffix d= does not align", k.sign(t, "rsa", "co.uk", message("ann@example.co.uk")), "", false, "", "not aligned"},
		{"From changed after signing", strings.Replace(k.sign(t, "rsa", "example.org", message("ann@example.org")), "From: ann@", "From: ceo@", 1), "", false, "", "fails"},
		{"tampered body", strings.Replace(k.sign(t, "ed", "example.org", message("ann@example.org")), "tool", "scam", 1), "", false, "", "fails"},
		{"key not published", strings.Replace(k.sign(t, "rsa", "example.org", message("ann@example.org")), "s=rsa", "s=gone", 1), "", false, "", "fails"},
		{"unsigned", message("ann@example.org"), "", false, "", "no DKIM signature"},
		{"trusted A-R dmarc=pass", message("ann@example.org",
			"Authentication-Results: mx.bulletin.example; spf=pass smtp.mailfrom=example.org;\r\n dmarc=pass (p=none dis=none) header.from=example.org"), trusted, true, MethodDMARCAR, "dmarc=pass"},
		{"A-R with version and case", message("ann@Example.org", "Authentication-Results: MX.bulletin.example 1; dmarc=PASS header.from=example.org"), trusted, true, MethodDMARCAR, "dmarc=pass"},
		{"A-R from untrusted authserv-id", message("ann@example.org", "Authentication-Results: mx.evil.example; dmarc=pass header.from=example.org"), trusted, false, "", "untrusted authserv-id mx.evil.example"},
		{"A-R not trusted when no id configured", message("ann@example.org", "Authentication-Results: mx.bulletin.example; dmarc=pass header.from=example.org"), "", false, "", "no DKIM signature"},
		{"only the topmost trusted A-R counts", message("ann@example.org",
			"Authentication-Results: mx.bulletin.example; dmarc=fail header.from=example.org",
			"Authentication-Results: mx.bulletin.example; dmarc=pass header.from=example.org"), trusted, false, "", "dmarc=fail"},
		{"A-R pass for another domain", message("ceo@example.org", "Authentication-Results: mx.bulletin.example; dmarc=pass header.from=evil.example"), trusted, false, "", "not for From domain"},
		{"A-R pass hidden in a comment", message("ceo@example.org", "Authentication-Results: mx.bulletin.example; dmarc=fail (dmarc=pass header.from=example.org) header.from=example.org"), trusted, false, "", "dmarc=fail"},
		{"A-R without dmarc falls back to DKIM", k.sign(t, "rsa", "example.org", message("ann@example.org", "Authentication-Results: mx.bulletin.example; spf=pass smtp.mailfrom=example.org")), trusted, true, MethodDKIM, "verifies"},
		{"two From headers", k.sign(t, "rsa", "example.org", message("ann@example.org", "From: ceo@example.org")), "", false, "", "2 From headers"},
		{"two From addresses", message("ann@example.org, ceo@example.org"), "", false, "", "2 addresses"},
		{"no From", "Subject: hi\r\n\r\nbody\r\n", "", false, "", "0 From headers"},
		{"From not an address", message("nobody"), "", false, "", "From header"},
		{"garbage", "\x00\xff not a message at all", "", false, "", "malformed header"},
		{"empty", "", "", false, "", "empty message"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Sender(context.Background(), []byte(tc.raw), Options{Resolver: k.Resolve, AuthServID: tc.authID})
			if got.Verified != tc.want || got.Method != tc.method {
				t.Errorf("Sender = %+v, want verified=%v method=%q", got, tc.want, tc.method)
			}
			if !strings.Contains(got.Reason, tc.reason) || got.Reason == "" {
				t.Errorf("reason %q, want it to mention %q", got.Reason, tc.reason)
			}
			if tc.want && got.Domain == "" {
				t.Errorf("verified without a domain: %+v", got)
			}
		})
	}
}

func TestAligned(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"example.org", "example.org", true},
		{"mail.example.org", "example.org", true},
		{"a.example.org", "b.example.org", true},
		{"example.org", "example.com", false},
		{"example.co.uk", "other.co.uk", false},
		{"co.uk", "example.co.uk", false},
		{"evilexample.org", "example.org", false},
		{"", "", false},
	} {
		if got := Aligned(tc.a, tc.b); got != tc.want {
			t.Errorf("Aligned(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
