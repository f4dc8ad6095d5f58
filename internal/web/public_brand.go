package web

import (
	"net/http"
	"net/url"
	"strings"
)

// Brand is the newsletter a public page speaks for: its name in the header
// and a link to its archive, instead of the software's name.
type Brand struct {
	Name       string
	ArchiveURL string
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
			return &Brand{Name: n.Name, ArchiveURL: "/archive/" + url.PathEscape(n.Slug) + "/"}
		}
	}
	nls, err := s.Newsletters.FindNewsletters(r.Context())
	if err != nil {
		return nil
	}
	for _, n := range nls {
		if n.IsDefault || len(nls) == 1 {
			return &Brand{Name: n.Name, ArchiveURL: "/archive/" + url.PathEscape(n.Slug) + "/"}
		}
	}
	return nil
}

// isPublicPage is true for the subscriber and contribution pages, which
// carry the newsletter's brand.
func isPublicPage(name string) bool { return strings.HasPrefix(name, "public/") }
