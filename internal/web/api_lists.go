package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

func (s *Server) handleListIndex(w http.ResponseWriter, r *http.Request) {
	ls, err := s.Lists.FindLists(r.Context())
	if ls == nil {
		ls = []bulletin.List{}
	}
	s.answer(w, r, http.StatusOK, ls, err)
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
	s.answer(w, r, http.StatusCreated, l, s.Lists.CreateList(r.Context(), l))
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
	s.answer(w, r, http.StatusOK, listWithCounts{l, c}, err)
}

func (s *Server) handleListUpdate(w http.ResponseWriter, r *http.Request) {
	var upd bulletin.ListUpdate
	err := decodeJSON(w, r, &upd)
	var l *bulletin.List
	if err == nil {
		l, err = s.Lists.UpdateList(r.Context(), r.PathValue("list"), upd)
	}
	s.answer(w, r, http.StatusOK, l, err)
}

func (s *Server) handleListDelete(w http.ResponseWriter, r *http.Request) {
	s.answer(w, r, http.StatusNoContent, nil, s.Lists.DeleteList(r.Context(), r.PathValue("list")))
}
