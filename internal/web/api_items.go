package web

import (
	"context"
	"net/http"
	"strconv"

	"bulletin/internal/bulletin"
)

// ItemStore is what the items API needs.
type ItemStore interface {
	FindItemByID(ctx context.Context, id int64) (*bulletin.Item, error)
	FindItems(ctx context.Context, f bulletin.ItemFilter) ([]*bulletin.Item, error)
	CreateItem(ctx context.Context, it *bulletin.Item) error
	UpdateItem(ctx context.Context, id int64, upd bulletin.ItemUpdate) (*bulletin.Item, error)
	DeleteItem(ctx context.Context, id int64, by *bulletin.User) error
	ReviewItem(ctx context.Context, id int64, status, note string, by *bulletin.User) (*bulletin.Item, error)
}

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
	u := s.requireRole(w, r, bulletin.RoleContributor)
	if u == nil {
		return
	}
	var req itemRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	switch req.Status {
	case "", bulletin.ItemSubmitted:
	case bulletin.ItemApproved:
		if !u.CanEdit() {
			s.apiError(w, r, bulletin.Errorf(bulletin.EFORBIDDEN, "only editors may submit items already approved"))
			return
		}
	default:
		s.apiError(w, r, bulletin.Errorf(bulletin.EINVALID, "status: a new item is %q or %q", bulletin.ItemSubmitted, bulletin.ItemApproved))
		return
	}
	it := &bulletin.Item{Title: req.Title, Body: req.Body, URL: req.URL, Source: req.Source, Section: req.Section,
		Kind: req.Kind, Closing: req.Closing, Newsletter: req.Newsletter, Status: req.Status, ContributorID: &u.ID}
	if err := s.Items.CreateItem(r.Context(), it); err != nil {
		s.apiError(w, r, err)
		return
	}
	it, err := s.Items.FindItemByID(r.Context(), it.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/items/"+strconv.FormatInt(it.ID, 10))
	writeJSON(w, http.StatusCreated, it)
}

// handleItemList lists items; contributors only ever see their own.
func (s *Server) handleItemList(w http.ResponseWriter, r *http.Request) {
	u := s.requireRole(w, r, bulletin.RoleContributor)
	if u == nil {
		return
	}
	q := r.URL.Query()
	f := bulletin.ItemFilter{Status: q.Get("status"), Newsletter: q.Get("newsletter"), Section: q.Get("section")}
	switch f.Status {
	case "", bulletin.ItemSubmitted, bulletin.ItemApproved, bulletin.ItemRejected:
	default:
		s.apiError(w, r, bulletin.Errorf(bulletin.EINVALID, "status: must be submitted, approved or rejected"))
		return
	}
	var err error
	if f.Limit, err = queryInt(q.Get("limit"), "limit", 0, bulletin.MaxItemsPerPage); err == nil {
		f.Offset, err = queryInt(q.Get("offset"), "offset", 0, 1<<30)
	}
	if err == nil && q.Get("contributor") != "" {
		var id int
		id, err = queryInt(q.Get("contributor"), "contributor", 1, 1<<62)
		f.ContributorID = ptrTo(int64(id))
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !u.CanEdit() {
		f.ContributorID = &u.ID
	}
	if f.Newsletter != "" {
		if _, err := s.Newsletters.FindNewsletterBySlug(r.Context(), f.Newsletter); bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			s.apiError(w, r, bulletin.Errorf(bulletin.EINVALID, "newsletter: unknown newsletter %q", f.Newsletter))
			return
		} else if err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	its, err := s.Items.FindItems(r.Context(), f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if its == nil {
		its = []*bulletin.Item{}
	}
	writeJSON(w, http.StatusOK, its)
}

func (s *Server) handleItemGet(w http.ResponseWriter, r *http.Request) {
	u := s.requireRole(w, r, bulletin.RoleContributor)
	if u == nil {
		return
	}
	it, err := s.findVisibleItem(r, u)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

// findVisibleItem returns the item of the {id} path value when u may see
// it; ENOTFOUND otherwise, so ids of others' items reveal nothing.
func (s *Server) findVisibleItem(r *http.Request, u *bulletin.User) (*bulletin.Item, error) {
	notFound := bulletin.Errorf(bulletin.ENOTFOUND, "item not found")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, notFound
	}
	it, err := s.Items.FindItemByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !u.CanSeeItem(it) {
		return nil, notFound
	}
	return it, nil
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
