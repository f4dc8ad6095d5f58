package verify

import (
	"fmt"
	"net/textproto"
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// dmarcPass looks at the topmost Authentication-Results header whose
// authserv-id is trusted and reports whether it says dmarc=pass for
// fromDomain. Lower headers with the same id are never consulted: anyone
// can write one before the message reaches the trusted MTA. The reason is
// "" when nothing was trusted, so that it does not crowd out the DKIM one.
func dmarcPass(h textproto.MIMEHeader, fromDomain, trusted string) (bool, string) {
	if trusted == "" {
		return false, ""
	}
	var untrusted []string
	for _, v := range h.Values("Authentication-Results") {
		v = stripComments(v)
		id, results, err := authres.Parse(v)
		if !strings.EqualFold(strings.TrimSpace(id), trusted) {
			untrusted = append(untrusted, id)
			continue
		}
		if err != nil {
			return false, fmt.Sprintf("Authentication-Results of %s unreadable: %v", trusted, err)
		}
		for _, r := range results {
			d, ok := r.(*authres.DMARCResult)
			if !ok {
				continue
			}
			from := strings.ToLower(strings.TrimSuffix(d.From, "."))
			switch {
			case d.Value != authres.ResultPass:
				return false, fmt.Sprintf("%s says dmarc=%s", trusted, d.Value)
			case from != fromDomain:
				return false, fmt.Sprintf("%s says dmarc=pass for %q, not for From domain %s", trusted, d.From, fromDomain)
			default:
				return true, fmt.Sprintf("%s says dmarc=pass for %s", trusted, fromDomain)
			}
		}
		return false, fmt.Sprintf("Authentication-Results of %s has no dmarc result", trusted)
	}
	if len(untrusted) > 0 {
		return false, fmt.Sprintf("Authentication-Results only from untrusted authserv-id %s", strings.Join(untrusted, ", "))
	}
	return false, "no Authentication-Results from " + trusted
}

// stripComments removes RFC 5322 comments, "(…)" with nesting and
// backslash escapes, which authres does not skip.
func stripComments(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && depth > 0:
			i++
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
			b.WriteByte(' ')
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
