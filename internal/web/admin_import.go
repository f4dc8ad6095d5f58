package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"bulletin/internal/bulletin"
)

// maxUploadBytes caps a CSV uploaded through the page (about 8 million
// rows); bigger files go through `bulletin subscribers import`. The upload
// is streamed to a temporary file, never held in memory.
const maxUploadBytes = 512 << 20

// importJob is one CSV import running in the background of this process,
// so the page can show its progress and then its line errors.
type importJob struct {
	ID      int
	List    string
	UserID  int64
	Started time.Time

	mu     sync.Mutex
	rows   int
	done   bool
	result *bulletin.ImportResult
	err    error
}

func (j *importJob) snapshot() importView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := importView{ID: j.ID, List: j.List, Rows: j.rows, Done: j.done, Result: j.result}
	if j.err != nil {
		v.Error = bulletin.ErrorMessage(j.err)
	}
	return v
}

// importJobs is the Server's registry of imports; finished ones are kept
// for an hour so their errors can be read.
type importJobs struct {
	mu   sync.Mutex
	next int
	jobs map[int]*importJob
}

func (js *importJobs) add(j *importJob) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.jobs == nil {
		js.jobs = map[int]*importJob{}
	}
	for id, old := range js.jobs {
		if time.Since(old.Started) > time.Hour {
			delete(js.jobs, id)
		}
	}
	js.next++
	j.ID = js.next
	js.jobs[j.ID] = j
}

func (js *importJobs) get(id int) *importJob {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.jobs[id]
}

type importView struct {
	ID     int
	List   string
	Rows   int
	Done   bool
	Result *bulletin.ImportResult
	Error  string
}

// handleListImport takes an uploaded CSV (email,name[,status]) and imports
// it in the background, then shows the import's page.
func (s *Server) handleListImport(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	if _, err := s.Lists.FindListBySlug(r.Context(), list); err != nil {
		s.pageError(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes+64<<10)
	upload, err := spoolUpload(r, "csv")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.pageError(w, r, bulletin.Errorf(bulletin.ETOOLARGE, "the file is larger than %d MiB; use bulletin subscribers import", maxUploadBytes>>20))
		return
	case err != nil:
		s.pageError(w, r, err)
		return
	}
	j := &importJob{List: list, UserID: currentUser(r).ID, Started: time.Now()}
	s.imports.add(j)
	// The import outlives the request; it is bounded by its own timeout.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Minute)
	go func() {
		defer cancel()
		defer os.Remove(upload.Name())
		defer upload.Close()
		res, err := s.Subscribers.ImportSubscribers(ctx, list, upload, bulletin.ImportOptions{
			Progress: func(rows int) { j.mu.Lock(); j.rows = rows; j.mu.Unlock() },
		})
		if err != nil && bulletin.ErrorCode(err) == bulletin.EINTERNAL {
			s.Log.Error("import failed", "list", list, "err", err)
		}
		j.mu.Lock()
		j.done, j.result, j.err = true, res, err
		j.mu.Unlock()
		s.Log.Info("import done from the admin UI", "list", list, "user_id", j.UserID)
	}()
	http.Redirect(w, r, "/admin/imports/"+strconv.Itoa(j.ID), http.StatusSeeOther)
}

// spoolUpload copies the form's file field to a temporary file, part by
// part as it arrives, and returns it open at its start. Other fields are
// skipped.
func spoolUpload(r *http.Request, field string) (*os.File, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, bulletin.Errorf(bulletin.EINVALID, "choose a CSV file to import")
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, bulletin.Errorf(bulletin.EINVALID, "choose a CSV file to import")
		}
		if err != nil {
			return nil, fmt.Errorf("reading the upload: %w", err)
		}
		if p.FormName() != field || p.FileName() == "" {
			continue
		}
		f, err := os.CreateTemp("", "bulletin-import-*.csv")
		if err != nil {
			return nil, fmt.Errorf("spool upload: %w", err)
		}
		if _, err = io.Copy(f, p); err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("reading the upload: %w", err)
		}
		return f, nil
	}
}

// handleImport shows an import: rows read while it runs (the page reloads
// itself each second, no script needed), then the result and line errors.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	j := s.imports.get(id)
	if err != nil || j == nil || j.UserID != currentUser(r).ID {
		s.pageError(w, r, bulletin.Errorf(bulletin.ENOTFOUND, "import not found (imports are kept for an hour)"))
		return
	}
	s.adminPage(w, r, http.StatusOK, "admin/import.html", "Import into "+j.List, j.snapshot())
}
