package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

// handleItemPatch edits an item. Contributors may change their own while it
// is submitted, but not its position; editors any item not yet in an issue.
func (s *Server) handleItemPatch(w http.ResponseWriter, r *http.Request) {
	u := s.requireRole(w, r, bulletin.RoleContributor)
	if u == nil {
		return
	}
	it, err := s.findVisibleItem(r, u)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var upd bulletin.ItemUpdate
	if err := decodeJSON(w, r, &upd); err != nil {
		s.apiError(w, r, err)
		return
	}
	if upd.Position != nil && !u.CanEdit() {
		s.apiError(w, r, bulletin.Errorf(bulletin.EFORBIDDEN, "only editors reorder items"))
		return
	}
	upd.By = u
	it, err = s.Items.UpdateItem(r.Context(), it.ID, upd)
	if err == nil {
		err = s.refreshIssue(r.Context(), it)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (s *Server) handleItemDelete(w http.ResponseWriter, r *http.Request) {
	u := s.requireRole(w, r, bulletin.RoleContributor)
	if u == nil {
		return
	}
	it, err := s.findVisibleItem(r, u)
	if err == nil {
		err = s.Items.DeleteItem(r.Context(), it.ID, u)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleItemApprove(w http.ResponseWriter, r *http.Request) {
	s.reviewItem(w, r, bulletin.ItemApproved)
}

func (s *Server) handleItemReject(w http.ResponseWriter, r *http.Request) {
	s.reviewItem(w, r, bulletin.ItemRejected)
}

// reviewItem takes an optional body {"note": "…"}.
func (s *Server) reviewItem(w http.ResponseWriter, r *http.Request, status string) {
	u := s.requireRole(w, r, bulletin.RoleEditor)
	if u == nil {
		return
	}
	it, err := s.findVisibleItem(r, u)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &req); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	it, err = s.Items.ReviewItem(r.Context(), it.ID, status, req.Note, u)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}
