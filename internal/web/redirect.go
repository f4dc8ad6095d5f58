package web

import (
	"net/http"
	"strconv"
	"strings"

	"bulletin/internal/clicks"
)

// The click redirect and the open pixel (issue 15): counted per issue and
// per link in memory (clicks.Counter, flushed by a service main runs),
// with no cookie, no subscriber id and no IP kept. HEAD requests are
// answered but not counted; bots that GET are counted like anyone (there
// is no person to tell them apart from).

// clickFront answers /r/ and /o/ before the request log and the session
// lookup: a redirect is read in bursts after each send and needs neither.
func (s *Server) clickFront(next http.Handler) http.Handler {
	if s.Clicks == nil || s.ClickTargets == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch {
			case strings.HasPrefix(r.URL.Path, "/r/"):
				s.handleRedirect(w, r)
				return
			case strings.HasPrefix(r.URL.Path, "/o/"):
				s.handlePixel(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// handleRedirect answers GET /r/{issue}/{link} with a 302 to the link's
// stored URL, or 404: the target is never taken from the request.
func (s *Server) handleRedirect(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/r/")
	a, b, ok := strings.Cut(rest, "/")
	issue, err1 := strconv.ParseInt(a, 10, 64)
	link, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || issue <= 0 || link <= 0 {
		http.NotFound(w, r)
		return
	}
	k := clicks.Key{Issue: issue, Link: link}
	t, err := s.ClickTargets.Resolve(r.Context(), k)
	if err != nil {
		s.Log.Error("click redirect", "issue", issue, "link", link, "err", err)
		http.Error(w, "the link could not be looked up; try again", http.StatusServiceUnavailable)
		return
	}
	if !t.Found {
		http.NotFound(w, r)
		return
	}
	if t.Count && r.Method == http.MethodGet {
		s.Clicks.Add(k, 1)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", t.URL)
	w.WriteHeader(http.StatusFound)
}

// pixelGIF is a transparent 1×1 GIF.
var pixelGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// handlePixel answers GET /o/{issue}.gif with the pixel and counts one
// open when the issue's newsletter counts opens.
func (s *Server) handlePixel(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/o/"), ".gif")
	issue, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || issue <= 0 {
		http.NotFound(w, r)
		return
	}
	k := clicks.Key{Issue: issue}
	t, err := s.ClickTargets.Resolve(r.Context(), k)
	if err != nil {
		s.Log.Error("open pixel", "issue", issue, "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if !t.Found {
		http.NotFound(w, r)
		return
	}
	if t.Count && r.Method == http.MethodGet {
		s.Clicks.Add(k, 1)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Content-Length", strconv.Itoa(len(pixelGIF)))
	_, _ = w.Write(pixelGIF)
}
