package web

import "net/http"

// archivePublicCSP is the policy of every public archive page: nothing but our own
// files (and https images: a newsletter's logo), no inline script, no plug-ins, not framed by other sites.
const archivePublicCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// archiveEmailCSP is the policy of a stored email served on its own. The sandbox
// directive applies even when the URL is opened directly rather than in the
// archive's iframe: no script, no forms, no pop-ups; a link may only
// replace the top page when the reader clicks it. It keeps our origin
// (allow-same-origin, harmless without allow-scripts) so that the issue
// page's own script can read its height and size the frame to it. Email needs
// inline styles and remote images, and nothing else.
const archiveEmailCSP = "sandbox allow-same-origin allow-top-navigation-by-user-activation; default-src 'none'; " +
	"style-src 'unsafe-inline'; img-src https: http: data:; font-src https: data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

func archiveHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", archivePublicCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}
