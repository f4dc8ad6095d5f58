package web

import (
	"net/http"
	"strconv"

	"bulletin/internal/bulletin"
)

type itemRequest struct {
	Title      string `json:"title"`
	Body       string `json:"body"`
	URL        string `json:"url"`
	Source     string `json:"source"`
	Section    string `json:"section"`
	Kind       string `json:"kind"`
	Closing    bool   `json:"closing"`
	Newsletter string `json:"newsletter"`
	Status     string `json:"status"`
}

func (s *Server) handleItemCreate(w http.ResponseWriter, r *http.Request) {
	var req itemRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	it := &bulletin.Item{Title: req.Title, Body: req.Body, URL: req.URL, Source: req.Source, Section: req.Section,
		Kind: req.Kind, Closing: req.Closing, Newsletter: req.Newsletter, Status: req.Status}
	if err := s.Items.SubmitItem(r.Context(), it, currentUser(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/items/"+strconv.FormatInt(it.ID, 10))
	writeJSON(w, http.StatusCreated, it)
}

// handleItemList lists items; contributors only ever see their own.
func (s *Server) handleItemList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := bulletin.ItemFilter{Status: q.Get("status"), Newsletter: q.Get("newsletter"), Section: q.Get("section"), By: currentUser(r)}
	var err error
	if f.Limit, err = queryInt(q.Get("limit"), "limit", 0, bulletin.MaxItemsPerPage); err == nil {
		f.Offset, err = queryInt(q.Get("offset"), "offset", 0, 1<<30)
	}
	if err == nil && q.Get("contributor") != "" {
		var id int
		id, err = queryInt(q.Get("contributor"), "contributor", 1, 1<<62)
		f.ContributorID = ptrTo(int64(id))
	}
	var its []*bulletin.Item
	if err == nil {
		its, err = s.Items.FindItems(r.Context(), f)
	}
	if its == nil {
		its = []*bulletin.Item{}
	}
	s.answer(w, r, http.StatusOK, its, err)
}

func (s *Server) handleItemGet(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "item")
	var it *bulletin.Item
	if err == nil {
		it, err = s.Items.FindItem(r.Context(), id, currentUser(r))
	}
	s.answer(w, r, http.StatusOK, it, err)
}

func queryInt(v, name string, min, max int) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, bulletin.Errorf(bulletin.EINVALID, "%s: must be a whole number from %d to %d", name, min, max)
	}
	return n, nil
}

func ptrTo[T any](v T) *T { return &v }
