package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"
)

type itemsView struct {
	Status, Newsletter, Section string
	Newsletters                 []*bulletin.Newsletter
	Sections                    []*bulletin.Section
	Items                       []*bulletin.Item
	Rows                        []queueRow
	Query                       string // the current filter, to come back to
	Statuses                    []string
}

// handleQueue is the review queue: items not yet in an issue, filtered
// by status (submitted by default), newsletter and section.
func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := itemsView{Statuses: []string{bulletin.ItemSubmitted, bulletin.ItemApproved, bulletin.ItemRejected, "all"}, Status: q.Get("status"), Newsletter: q.Get("newsletter"), Section: q.Get("section"), Query: r.URL.RawQuery}
	if !q.Has("status") {
		v.Status = bulletin.ItemSubmitted
	}
	if v.Status == "all" {
		v.Status = ""
	}
	var err error
	if v.Newsletters, err = s.Newsletters.FindNewsletters(r.Context()); err != nil {
		s.pageError(w, r, err)
		return
	}
	if v.Newsletter == "" && len(v.Newsletters) > 0 {
		v.Newsletter = v.Newsletters[0].Slug
		for _, n := range v.Newsletters {
			if n.IsDefault {
				v.Newsletter = n.Slug
			}
		}
	}
	if v.Newsletter != "" {
		if v.Sections, err = s.Newsletters.FindSections(r.Context(), v.Newsletter); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	v.Items, err = s.Items.FindItems(r.Context(), bulletin.ItemFilter{Status: v.Status, Newsletter: v.Newsletter, Section: v.Section, Unissued: true})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Rows = queueRows(v.Items, v.Sections)
	if v.Status == "" {
		v.Status = "all"
	}
	s.adminPage(w, r, http.StatusOK, "admin/items.html", "Review", v)
}

func (s *Server) handleQueueApprove(w http.ResponseWriter, r *http.Request) {
	s.queueReview(w, r, bulletin.ItemApproved)
}

func (s *Server) handleQueueReject(w http.ResponseWriter, r *http.Request) {
	s.queueReview(w, r, bulletin.ItemRejected)
}

func (s *Server) queueReview(w http.ResponseWriter, r *http.Request, status string) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	it, err := s.Items.ReviewItem(r.Context(), id, status, r.PostFormValue("note"), currentUser(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "%s: %q", strings.ToUpper(status[:1])+status[1:], it.Title)
	if to := safeNext(r.PostFormValue("back")); to != "" { // from the edit page
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	back(w, r, "/admin/items")
}

// handleQueueMove moves an item one place up or down, or to another
// section (dir absent, section set; "" is the default section).
func (s *Server) handleQueueMove(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	u := currentUser(r)
	upd := bulletin.ItemUpdate{By: u}
	switch dir := r.PostFormValue("dir"); dir {
	case "up", "down":
		it, err := s.Items.FindItem(r.Context(), id, u)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		p := it.Position - 1
		if dir == "down" {
			p = it.Position + 1
		}
		if p < 1 {
			p = 1
		}
		upd.Position = &p
	case "":
		sec := r.PostFormValue("section")
		upd.Section = &sec
	default:
		s.pageError(w, r, bulletin.Errorf(bulletin.EINVALID, "dir: must be up or down"))
		return
	}
	it, err := s.Items.UpdateItem(r.Context(), id, upd)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Moved %q.", it.Title)
	back(w, r, "/admin/items")
}

type itemFormView struct {
	Item        *bulletin.Item
	Sections    []*bulletin.Section
	Newsletters []*bulletin.Newsletter
	Preview     template.HTML // sanitised by content.RenderBody
	Error       string
	Mine        []*bulletin.Item // the contributor's own items
	Back        string
}

func (s *Server) handleQueueEditForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	it, err := s.Items.FindItem(r.Context(), id, currentUser(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := itemFormView{Item: it, Preview: template.HTML(it.BodyHTML), Back: safeNext(r.URL.Query().Get("back"))}
	s.itemForm(w, r, http.StatusOK, "admin/item_edit.html", "Edit item", &v)
}

// handleQueueEdit saves an edited item, or shows the Markdown preview when
// the Preview button was pressed.
func (s *Server) handleQueueEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	it, err := s.Items.FindItem(r.Context(), id, currentUser(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	form := itemFromForm(w, r)
	form.ID, form.Status, form.Newsletter = it.ID, it.Status, it.Newsletter
	v := itemFormView{Item: form, Back: safeNext(r.PostFormValue("back"))}
	if r.PostFormValue("action") == "preview" {
		s.markdownPreview(&v)
		s.itemForm(w, r, http.StatusOK, "admin/item_edit.html", "Edit item", &v)
		return
	}
	upd := bulletin.ItemUpdate{Title: &form.Title, Body: &form.Body, URL: &form.URL, Source: &form.Source,
		Kind: &form.Kind, Closing: &form.Closing, Section: &form.Section, By: currentUser(r)}
	saved, err := s.Items.UpdateItem(r.Context(), id, upd)
	if err != nil {
		v.Error = bulletin.ErrorMessage(err)
		s.itemForm(w, r, statusOf(err), "admin/item_edit.html", "Edit item", &v)
		return
	}
	if saved.Issue != 0 {
		s.flash(r, "Saved %q and rendered issue %d again.", form.Title, saved.Issue)
	} else {
		s.flash(r, "Saved %q.", form.Title)
	}
	to := v.Back
	if to == "" {
		to = "/admin/items"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// itemForm fills the section choices and renders a form page. A store
// error here is shown as the page's own error.
func (s *Server) itemForm(w http.ResponseWriter, r *http.Request, status int, name, title string, v *itemFormView) {
	var err error
	if v.Newsletters, err = s.Newsletters.FindNewsletters(r.Context()); err == nil {
		nl := v.Item.Newsletter
		for _, n := range v.Newsletters {
			if nl == "" && n.IsDefault {
				nl = n.Slug
			}
		}
		if nl != "" {
			v.Sections, err = s.Newsletters.FindSections(r.Context(), nl)
		}
	}
	if err != nil && v.Error == "" {
		v.Error = bulletin.ErrorMessage(err)
		if status < 400 {
			status = statusOf(err)
		}
	}
	s.adminPage(w, r, status, name, title, v)
}

// markdownPreview renders the form's Markdown the way it will be stored.
func (s *Server) markdownPreview(v *itemFormView) {
	html, err := content.RenderBody(v.Item.Body)
	if err != nil {
		v.Error = bulletin.ErrorMessage(err)
		return
	}
	v.Preview = template.HTML(html)
}

// itemFromForm reads the item fields of an HTML form.
func itemFromForm(w http.ResponseWriter, r *http.Request) *bulletin.Item {
	r.Body = http.MaxBytesReader(w, r.Body, bulletin.MaxRequestLen)
	f := r.PostFormValue
	return &bulletin.Item{Title: f("title"), Body: strings.ReplaceAll(f("body"), "\r\n", "\n"), URL: f("url"), Source: f("source"),
		Kind: f("kind"), Closing: f("closing") == "on", Section: f("section"), Newsletter: f("newsletter")}
}

// pathID reads {id}; a malformed one is a 404 like an unknown one.
func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return 0, false
	}
	return id, true
}
