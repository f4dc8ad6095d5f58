package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

func (s *Server) handleSectionList(w http.ResponseWriter, r *http.Request) {
	ss, err := s.Newsletters.FindSections(r.Context(), r.PathValue("nl"))
	if ss == nil {
		ss = []*bulletin.Section{}
	}
	s.answer(w, r, http.StatusOK, ss, err)
}

func (s *Server) handleSectionCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Slug     string `json:"slug"`
		Name     string `json:"name"`
		Position int    `json:"position"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	sec := &bulletin.Section{Slug: req.Slug, Name: req.Name, Position: req.Position}
	if err := s.Newsletters.CreateSection(r.Context(), r.PathValue("nl"), sec); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/newsletters/"+r.PathValue("nl")+"/sections/"+sec.Slug)
	writeJSON(w, http.StatusCreated, sec)
}

func (s *Server) handleSectionPatch(w http.ResponseWriter, r *http.Request) {
	var upd bulletin.SectionUpdate
	err := decodeJSON(w, r, &upd)
	var sec *bulletin.Section
	if err == nil {
		sec, err = s.Newsletters.UpdateSection(r.Context(), r.PathValue("nl"), r.PathValue("slug"), upd)
	}
	s.answer(w, r, http.StatusOK, sec, err)
}
