package web

import (
	"encoding/csv"
	"errors"
	"mime"
	"net/http"
	"strconv"

	"bulletin/internal/bulletin"
)

// maxImportBytes bounds a CSV upload; the import streams, so this is about
// disk and time, not memory.
const maxImportBytes = 1 << 30

// handleSubscriberAdd adds one address. Admins may add it confirmed; for
// anyone else (and for admins who do not say confirmed) double opt-in
// lists get a pending subscription and a confirmation email.
func (s *Server) handleSubscriberAdd(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email     string `json:"email"`
		Name      string `json:"name"`
		Confirmed bool   `json:"confirmed"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.Subscribers.AddSubscriber(r.Context(), bulletin.SubscribeRequest{
		List: r.PathValue("list"), Email: in.Email, Name: in.Name, IP: clientIP(r), Confirmed: in.Confirmed,
	}, currentUser(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{
		"subscriber":          res.Subscriber,
		"list":                res.List.Slug,
		"subscription_status": res.Status,
		"confirmation_sent":   res.ConfirmToken != "",
	})
}

// handleSubscriberImport streams a text/csv body into the list.
func (s *Server) handleSubscriberImport(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		s.apiError(w, r, bulletin.Errorf(bulletin.EINVALID, "Content-Type must be text/csv"))
		return
	}
	list := r.PathValue("list")
	body := http.MaxBytesReader(w, r.Body, maxImportBytes)
	res, err := s.Subscribers.ImportSubscribers(r.Context(), list, body, bulletin.ImportOptions{
		Progress: func(rows int) {
			if rows%100_000 < 5000 {
				s.Log.Info("import progress", "list", list, "rows", rows)
			}
		},
	})
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = bulletin.Errorf(bulletin.ETOOLARGE, "the CSV is larger than %d bytes; use bulletin subscribers import", int64(maxImportBytes))
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.Log.Info("import done", "list", list, "imported", res.Imported, "created", res.Created, "skipped", res.Skipped)
	writeJSON(w, http.StatusOK, res)
}

// handleSubscriberExport streams the list as CSV (email,name,status).
func (s *Server) handleSubscriberExport(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	if _, err := s.Lists.FindListBySlug(r.Context(), list); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+list+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"email", "name", "status"})
	err := s.Subscribers.ExportSubscribers(r.Context(), list, func(e, n, st string) error { return cw.Write([]string{e, n, st}) })
	cw.Flush()
	if err != nil {
		// The status is sent; all that is left is to log and cut the body.
		s.Log.Error("export failed", "list", list, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// handleSubscriberFind looks up by ?email=, or pages through everyone
// with ?after=ID&limit=N.
func (s *Server) handleSubscriberFind(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err1 := strconv.ParseInt(q.Get("after"), 10, 64)
	limit, err2 := strconv.Atoi(q.Get("limit"))
	switch {
	case q.Get("after") != "" && (err1 != nil || after < 0):
		s.apiError(w, r, bulletin.Errorf(bulletin.EINVALID, "after must be a subscriber id"))
		return
	case q.Get("limit") != "" && (err2 != nil || limit < 1 || limit > 1000):
		s.apiError(w, r, bulletin.Errorf(bulletin.EINVALID, "limit must be from 1 to 1000"))
		return
	case q.Get("limit") == "":
		limit = 100
	}
	subs, err := s.Subscribers.FindSubscribers(r.Context(), q.Get("email"), after, limit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if subs == nil {
		subs = []bulletin.SubscriberDetail{}
	}
	writeJSON(w, http.StatusOK, subs)
}

// handleSubscriberErase deletes the subscriber and its personal data.
func (s *Server) handleSubscriberErase(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.apiError(w, r, bulletin.Errorf(bulletin.ENOTFOUND, "subscriber not found"))
		return
	}
	if err := s.Subscribers.EraseSubscriber(r.Context(), id); err != nil {
		s.apiError(w, r, err)
		return
	}
	s.Log.Info("subscriber erased", "subscriber", id)
	w.WriteHeader(http.StatusNoContent)
}
