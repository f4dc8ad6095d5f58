package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

func (s *Server) handleListIndex(w http.ResponseWriter, r *http.Request) {
	ls, err := s.Lists.FindLists(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if ls == nil {
		ls = []bulletin.List{}
	}
	writeJSON(w, http.StatusOK, ls)
}

func (s *Server) handleListCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Slug        string `json:"slug"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Public      bool   `json:"public"`
		DoubleOptin *bool  `json:"double_optin"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	l := &bulletin.List{Slug: in.Slug, Name: in.Name, Description: in.Description, Public: in.Public, DoubleOptin: true}
	if in.DoubleOptin != nil {
		l.DoubleOptin = *in.DoubleOptin
	}
	if err := s.Lists.CreateList(r.Context(), l); err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

// listWithCounts is a list as GET /api/v1/lists/{list} shows it.
type listWithCounts struct {
	*bulletin.List
	Counts bulletin.ListCounts `json:"counts"`
}

func (s *Server) handleListGet(w http.ResponseWriter, r *http.Request) {
	l, err := s.Lists.FindListBySlug(r.Context(), r.PathValue("list"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	c, err := s.Lists.CountList(r.Context(), l.Slug)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listWithCounts{l, c})
}

func (s *Server) handleListUpdate(w http.ResponseWriter, r *http.Request) {
	var upd bulletin.ListUpdate
	if err := decodeJSON(w, r, &upd); err != nil {
		s.apiError(w, r, err)
		return
	}
	l, err := s.Lists.UpdateList(r.Context(), r.PathValue("list"), upd)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Server) handleListDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Lists.DeleteList(r.Context(), r.PathValue("list")); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
