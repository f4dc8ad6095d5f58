package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// archivePublicCSP is the policy of every public archive page: nothing but our own
// files, no inline script, no plug-ins, not framed by other sites.
const archivePublicCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// archiveEmailCSP is the policy of a stored email served on its own. The sandbox
// directive applies even when the URL is opened directly rather than in the
// archive's iframe: an opaque origin, no script, no forms, no pop-ups; a
// link may only replace the top page when the reader clicks it. Email needs
// inline styles and remote images, and nothing else.
const archiveEmailCSP = "sandbox allow-top-navigation-by-user-activation; default-src 'none'; " +
	"style-src 'unsafe-inline'; img-src https: http: data:; font-src https: data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

func archiveHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", archivePublicCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}

// etag derives a strong validator from the deployment salt and the parts a
// response depends on (ids, times, neighbouring issues).
func (a *archive) etag(parts ...any) string {
	h := sha256.New()
	fmt.Fprint(h, a.salt)
	for _, p := range parts {
		fmt.Fprintf(h, "|%v", p)
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// archiveNotModified sets the validators and answers 304 when the client's copy is
// current. If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
func archiveNotModified(w http.ResponseWriter, r *http.Request, etag string, modified time.Time, cache string) bool {
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", cache)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if !archiveETagMatches(inm, etag) {
			return false
		}
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err != nil || modified.IsZero() ||
		modified.Truncate(time.Second).After(ims) {
		return false
	}
	h.Del("Content-Type")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusNotModified)
	return true
}

// archiveETagMatches is the weak comparison of If-None-Match.
func archiveETagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
