package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"bulletin/internal/bulletin"
)

// Brand is the newsletter a public page speaks for: its name in the header
// and a link to its archive, instead of the software's name, with its logo,
// accent colour and organisation line when it has them.
type Brand struct {
	Name       string
	ArchiveURL string
	LogoURL    string // https, validated by the store
	StyleURL   string // the accent's stylesheet; "" without an accent
	OrgLine    string // organisation name and postal address, one line
}

// brandOf presents a newsletter's brand on public pages.
func brandOf(slug, name string, b bulletin.Brand) *Brand {
	out := &Brand{Name: name, ArchiveURL: "/archive/" + url.PathEscape(slug) + "/", LogoURL: b.LogoURL, OrgLine: b.OrgLine()}
	if b.AccentColor != "" {
		// The colour in the URL changes it when the accent changes, so the
		// stylesheet can be cached for long.
		out.StyleURL = "/brand/" + url.PathEscape(slug) + "/style.css?c=" + strings.TrimPrefix(b.AccentColor, "#")
	}
	return out
}

// publicBrand is the newsletter of a public page: the one its path names
// ({nl}) or ?newsletter= names, else the default newsletter. Nil when none
// can be found; the layout then shows no newsletter.
func (s *Server) publicBrand(r *http.Request) *Brand {
	if s.Newsletters == nil {
		return nil
	}
	slug := r.PathValue("nl")
	if slug == "" {
		slug = r.URL.Query().Get("newsletter")
	}
	if slug != "" {
		if n, err := s.Newsletters.FindNewsletterBySlug(r.Context(), slug); err == nil {
			return brandOf(n.Slug, n.Name, n.Brand)
		}
	}
	nls, err := s.Newsletters.FindNewsletters(r.Context())
	if err != nil {
		return nil
	}
	for _, n := range nls {
		if n.IsDefault || len(nls) == 1 {
			return brandOf(n.Slug, n.Name, n.Brand)
		}
	}
	return nil
}

// handleBrandStyle is GET /brand/{nl}/style.css: the header band in the
// newsletter's accent. Text on it is black or white, whichever contrasts
// more (at least 4.5:1 for any accent), and so is the focus ring.
func (s *Server) handleBrandStyle(w http.ResponseWriter, r *http.Request) {
	n, err := s.Newsletters.FindNewsletterBySlug(r.Context(), r.PathValue("nl"))
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.Log.Error("brand style", "newsletter", r.PathValue("nl"), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	if n.AccentColor == "" {
		return
	}
	// Both colours are "#rrggbb": the store accepts nothing else.
	bg, fg := n.AccentColor, n.AccentText()
	fmt.Fprintf(w, "header.site { background: %s; color: %s; border-bottom-color: %s; }\n", bg, fg, bg)
	fmt.Fprintf(w, "header.site a:not(.button), header.site .brand { color: %s; }\n", fg)
	fmt.Fprintf(w, "header.site a:focus-visible { outline: 2px solid %s; outline-offset: 2px; }\n", fg)
}

// isPublicPage is true for the subscriber and contribution pages, which
// carry the newsletter's brand.
func isPublicPage(name string) bool { return strings.HasPrefix(name, "public/") }
