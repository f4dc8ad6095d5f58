package web

import (
	"net/http"
	"strings"

	"bulletin/internal/bulletin"
)

type listRow struct {
	bulletin.List
	Counts bulletin.ListCounts
}

type listsView struct {
	Lists []listRow
	Form  bulletin.List
	Error string
}

// handleLists shows every list with its counts, export and import, and a
// form to add one.
func (s *Server) handleLists(w http.ResponseWriter, r *http.Request) {
	s.listsPage(w, r, http.StatusOK, listsView{Form: bulletin.List{DoubleOptin: true}})
}

func (s *Server) listsPage(w http.ResponseWriter, r *http.Request, status int, v listsView) {
	ls, err := s.Lists.FindLists(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, l := range ls {
		c, err := s.Lists.CountList(r.Context(), l.Slug)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		v.Lists = append(v.Lists, listRow{List: l, Counts: c})
	}
	s.adminPage(w, r, status, "admin/lists.html", "Lists", v)
}

func (s *Server) handleListAdd(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	l := bulletin.List{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: r.PostFormValue("name"),
		Description: r.PostFormValue("description"), Public: r.PostFormValue("public") == "on",
		DoubleOptin: r.PostFormValue("double_optin") == "on"}
	if err := s.Lists.CreateList(r.Context(), &l); err != nil {
		s.listsPage(w, r, statusOf(err), listsView{Form: l, Error: bulletin.ErrorMessage(err)})
		return
	}
	s.flash(r, "Created list %q.", l.Name)
	http.Redirect(w, r, "/admin/lists", http.StatusSeeOther)
}

// handleListSave changes a list's name, description and options.
func (s *Server) handleListSave(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	name, desc := r.PostFormValue("name"), r.PostFormValue("description")
	pub, dbl := r.PostFormValue("public") == "on", r.PostFormValue("double_optin") == "on"
	l, err := s.Lists.UpdateList(r.Context(), r.PathValue("list"), bulletin.ListUpdate{Name: &name, Description: &desc, Public: &pub, DoubleOptin: &dbl})
	if err != nil {
		s.flash(r, "Not saved: %s", bulletin.ErrorMessage(err))
	} else {
		s.flash(r, "Saved list %q.", l.Name)
	}
	http.Redirect(w, r, "/admin/lists", http.StatusSeeOther)
}

func (s *Server) handleListRemove(w http.ResponseWriter, r *http.Request) {
	if err := s.Lists.DeleteList(r.Context(), r.PathValue("list")); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "List deleted.")
	http.Redirect(w, r, "/admin/lists", http.StatusSeeOther)
}
