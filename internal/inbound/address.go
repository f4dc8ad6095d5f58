package inbound

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// Addresses makes and reads the addresses that identify themselves, all at
// one inbound domain:
//
//	bounces+{issue id}-{delivery id}-{tag}@DOMAIN   envelope sender of each delivery (VERP)
//	unsubscribe+{token}@DOMAIN          List-Unsubscribe's mailto
//	contribute@DOMAIN, contribute+{slug}@DOMAIN
//
// Everything is lower case, since some servers change the case of local
// parts: the tag is hex, the token is written in base32.
//
// The issue in a bounce address lets the store find the delivery in its
// issue's partition of deliveries alone (migration 0140). Addresses sent
// before it carried the issue, bounces+{delivery id}-{tag}, still parse
// (IssueID 0), and the store then looks for the id in every partition.
type Addresses struct {
	Domain string // lower case, no @
	Secret []byte // keys the VERP tag; kept in PostgreSQL (app_secrets)
}

const tagLen = 10 // hex digits of the HMAC: 40 bits, enough to make guessing useless

var lowerB32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Bounce is the VERP envelope sender of delivery id of issue.
func (a Addresses) Bounce(issue, id int64) string {
	ext := strconv.FormatInt(issue, 10) + "-" + strconv.FormatInt(id, 10)
	return "bounces+" + ext + "-" + a.tag(ext) + "@" + a.Domain
}

// tag signs the extension's ids: "{delivery id}" in the first format,
// "{issue id}-{delivery id}" now, so neither id can be changed alone.
func (a Addresses) tag(ids string) string {
	m := hmac.New(sha256.New, a.Secret)
	m.Write([]byte("verp:" + ids))
	return hex.EncodeToString(m.Sum(nil))[:tagLen]
}

// parseBounce reads a bounce address's extension in either format: the
// delivery, its issue (0 in the first format) and whether the tag is good.
func (a Addresses) parseBounce(ext string) (issue, id int64, ok bool) {
	cut := strings.LastIndexByte(ext, '-')
	if cut < 0 {
		return 0, 0, false
	}
	ids, tag := ext[:cut], ext[cut+1:]
	idText := ids
	if issueText, rest, two := strings.Cut(ids, "-"); two {
		n, err := strconv.ParseInt(issueText, 10, 64)
		if err != nil || n <= 0 || issueText != strconv.FormatInt(n, 10) {
			return 0, 0, false
		}
		issue, idText = n, rest
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 || idText != strconv.FormatInt(id, 10) {
		return 0, 0, false
	}
	if !hmac.Equal([]byte(tag), []byte(a.tag(ids))) {
		return 0, 0, false
	}
	return issue, id, true
}

// Unsubscribe is the mailto address for a subscriber's token.
func (a Addresses) Unsubscribe(token string) string {
	return "unsubscribe+" + encodeToken(token) + "@" + a.Domain
}

// Contribute is a newsletter's contribution address; the default
// newsletter's has no slug.
func (a Addresses) Contribute(slug string, isDefault bool) string {
	if isDefault || slug == "" {
		return "contribute@" + a.Domain
	}
	return "contribute+" + strings.ToLower(slug) + "@" + a.Domain
}

// Target is what an address at the inbound domain names.
type Target struct {
	Kind       string // KindBounce, KindUnsubscribe, KindContribution, or "" for another local part
	DeliveryID int64  // bounce address with a good tag
	IssueID    int64  // the delivery's issue; 0 in an address of the first format
	BadTag     bool   // a bounce address whose tag does not match: forged or guessed
	Token      string // unsubscribe: the subscriber's token as stored
	Slug       string // contribution: "" for the default newsletter
}

// Parse reads addr. ours is false for an address at another domain.
func (a Addresses) Parse(addr string) (t Target, ours bool) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || !strings.EqualFold(addr[at+1:], a.Domain) || a.Domain == "" {
		return Target{}, false
	}
	local := strings.ToLower(addr[:at])
	base, ext, _ := strings.Cut(local, "+")
	switch base {
	case "bounces":
		t.Kind = KindBounce
		issue, id, ok := a.parseBounce(ext)
		if !ok {
			t.BadTag = true
			return t, true
		}
		t.DeliveryID, t.IssueID = id, issue
	case "unsubscribe":
		t.Kind = KindUnsubscribe
		t.Token = decodeToken(ext)
	case "contribute":
		t.Kind = KindContribution
		t.Slug = ext
	}
	return t, true
}

// encodeToken writes a token (base64url, case-sensitive) in lower-case
// base32 of the same bytes. A token that is not base64url is hex-encoded
// behind a "0", a character the base32 alphabet does not use.
func encodeToken(token string) string {
	if b, err := base64.RawURLEncoding.DecodeString(token); err == nil && base64.RawURLEncoding.EncodeToString(b) == token {
		return lowerB32.EncodeToString(b)
	}
	return "0" + hex.EncodeToString([]byte(token))
}

func decodeToken(s string) string {
	s = strings.ToLower(s)
	if strings.HasPrefix(s, "0") {
		if b, err := hex.DecodeString(s[1:]); err == nil {
			return string(b)
		}
		return ""
	}
	b, err := lowerB32.DecodeString(s)
	if err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
