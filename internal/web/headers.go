package web

import (
	"net/http"
	"strings"
)

// basePolicy is the Content-Security-Policy of every response whose
// handler sets none of its own: our own scripts, styles and images only, no
// plug-ins, forms posting only to us, framed only by our own pages (the
// admin shows captured mail and previews in frames). Handlers serving
// stored email set a stricter, sandboxing policy over it.
const basePolicy = "default-src 'self'; img-src 'self' data: https:; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

// hstsPolicy is sent when BULLETIN_BASE_URL is https: browsers then refuse
// plain HTTP to this host for a year.
const hstsPolicy = "max-age=31536000"

// securityHeaders applies the one header policy to every response: it sets
// the headers before the handler runs, so every page, error and redirect
// has them, and a handler may only replace them with a stricter one (the
// archive's email, captured mail). Responses that may show personal data —
// subscriber pages reached by token, login, admin, contributor and API —
// are never stored by caches.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	hsts := strings.HasPrefix(s.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", basePolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Referrer-Policy", "same-origin") // token URLs never leave in a Referer
		if hsts {
			h.Set("Strict-Transport-Security", hstsPolicy)
		}
		if personalPath(r.URL.Path) {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// personalPath reports whether pages under p may show a person's name,
// address or account.
func personalPath(p string) bool {
	for _, prefix := range []string{"/preferences/", "/confirm/", "/unsubscribe/", "/subscribe/",
		"/api/", "/admin", "/contribute", "/login", "/logout"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}
