package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

// handleItemPatch edits an item as the caller may (ItemService.UpdateItem);
// an item of an unsent issue is corrected and its issue rendered again.
func (s *Server) handleItemPatch(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "item")
	var upd bulletin.ItemUpdate
	if err == nil {
		err = decodeJSON(w, r, &upd)
	}
	var it *bulletin.Item
	if err == nil {
		upd.By = currentUser(r)
		it, err = s.Items.UpdateItem(r.Context(), id, upd)
	}
	s.answer(w, r, http.StatusOK, it, err)
}

func (s *Server) handleItemDelete(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r, "item")
	if err == nil {
		err = s.Items.DeleteItem(r.Context(), id, currentUser(r))
	}
	s.answer(w, r, http.StatusNoContent, nil, err)
}

func (s *Server) handleItemApprove(w http.ResponseWriter, r *http.Request) {
	s.reviewItem(w, r, bulletin.ItemApproved)
}

func (s *Server) handleItemReject(w http.ResponseWriter, r *http.Request) {
	s.reviewItem(w, r, bulletin.ItemRejected)
}

// reviewItem takes an optional body {"note": "…"}.
func (s *Server) reviewItem(w http.ResponseWriter, r *http.Request, status string) {
	id, err := apiPathID(r, "item")
	var req struct {
		Note string `json:"note"`
	}
	if err == nil && r.ContentLength != 0 {
		err = decodeJSON(w, r, &req)
	}
	var it *bulletin.Item
	if err == nil {
		it, err = s.Items.ReviewItem(r.Context(), id, status, req.Note, currentUser(r))
	}
	s.answer(w, r, http.StatusOK, it, err)
}
