package web

import (
	"net/http"
	"slices"

	"bulletin/internal/bulletin"
)

// handleContributeForm shows the submission form and the user's own items.
// Only their own: the filter is by contributor id, never by a parameter.
func (s *Server) handleContributeForm(w http.ResponseWriter, r *http.Request) {
	v := itemFormView{Item: &bulletin.Item{Kind: bulletin.KindArticle}}
	s.contributePage(w, r, http.StatusOK, &v)
}

// handleContribute submits an item, or previews its Markdown when the
// Preview button was pressed. Bad input keeps what was typed.
func (s *Server) handleContribute(w http.ResponseWriter, r *http.Request) {
	it := itemFromForm(w, r)
	v := itemFormView{Item: it}
	if r.PostFormValue("action") == "preview" {
		s.markdownPreview(&v)
		s.contributePage(w, r, http.StatusOK, &v)
		return
	}
	it.Status = bulletin.ItemSubmitted
	typed := *it // the store clears a field it refuses: show what was typed
	if err := s.Items.SubmitItem(r.Context(), it, currentUser(r)); err != nil {
		v.Item = &typed
		v.Error = bulletin.ErrorMessage(err)
		s.contributePage(w, r, statusOf(err), &v)
		return
	}
	s.flash(r, "Thank you! %q was submitted for review.", it.Title)
	http.Redirect(w, r, "/contribute", http.StatusSeeOther)
}

func (s *Server) contributePage(w http.ResponseWriter, r *http.Request, status int, v *itemFormView) {
	u := currentUser(r)
	mine, err := s.Items.FindItems(r.Context(), bulletin.ItemFilter{ContributorID: &u.ID, By: u})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// Newest first: what was just sent is on top.
	slices.SortFunc(mine, func(a, b *bulletin.Item) int { return b.CreatedAt.Compare(a.CreatedAt) })
	v.Mine = mine
	s.itemForm(w, r, status, "admin/contribute.html", "Contribute", v)
}
