package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

// privacyPage is GET /privacy/{nl}: what the newsletter counts (issue 15).
type privacyPage struct {
	Slug, Name string
	Counting   bulletin.Counting
}

func (s *Server) handlePrivacy(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("nl")
	n, err := s.Newsletters.FindNewsletterBySlug(r.Context(), slug)
	var c bulletin.Counting
	if err == nil {
		c, err = s.Counting.FindCounting(r.Context(), slug)
	}
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.Log.Error("privacy page", "newsletter", slug, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.page(w, r, http.StatusOK, "public/privacy.html", Page{Title: "Privacy",
		Data: privacyPage{Slug: n.Slug, Name: n.Name, Counting: c}})
}

// handleCountingSave is POST /admin/newsletters/{nl}/counting: the two
// switches of the newsletter page.
func (s *Server) handleCountingSave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	slug := r.PathValue("nl")
	c := bulletin.Counting{Clicks: r.PostFormValue("count_clicks") == "on", Opens: r.PostFormValue("count_opens") == "on"}
	if err := s.Counting.SetCounting(r.Context(), slug, c); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Counting saved.")
	http.Redirect(w, r, "/admin/newsletters/"+slug, http.StatusSeeOther)
}
