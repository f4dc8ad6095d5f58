package verify

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	"golang.org/x/net/publicsuffix"
)

// dkimAligned reports whether one of raw's DKIM signatures verifies with a
// d= aligned with fromDomain, and why (not).
func dkimAligned(ctx context.Context, raw []byte, fromDomain string, resolve func(context.Context, string) ([]string, error)) (bool, string) {
	if resolve == nil {
		resolve = defaultResolver
	}
	opts := &dkim.VerifyOptions{
		LookupTXT:        func(name string) ([]string, error) { return resolve(ctx, name) },
		MaxVerifications: maxSignatures,
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), opts)
	if err != nil && len(verifs) == 0 {
		return false, "DKIM: " + err.Error()
	}
	if len(verifs) == 0 {
		return false, "no DKIM signature"
	}
	var why []string
	for _, v := range verifs {
		d := strings.ToLower(strings.TrimSuffix(v.Domain, "."))
		switch {
		case v.Err != nil:
			why = append(why, fmt.Sprintf("DKIM signature d=%s fails: %v", d, v.Err))
		case !Aligned(d, fromDomain):
			why = append(why, fmt.Sprintf("DKIM signature d=%s verifies but is not aligned with From domain %s", d, fromDomain))
		default:
			return true, fmt.Sprintf("DKIM signature d=%s verifies and aligns with From domain %s", d, fromDomain)
		}
	}
	return false, strings.Join(why, "; ")
}

// Aligned applies DMARC's relaxed alignment: a and b are the same domain or
// share an organisational domain (public suffix plus one label). A domain
// that is itself a public suffix aligns with nothing but itself.
func Aligned(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return a != ""
	}
	oa, err := publicsuffix.EffectiveTLDPlusOne(a)
	if err != nil {
		return false
	}
	ob, err := publicsuffix.EffectiveTLDPlusOne(b)
	return err == nil && oa == ob
}
