package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"bulletin/internal/bulletin"
)

// ImportJobStore keeps uploaded imports in the database: the import-jobs
// service of any process runs them, and any process shows their progress.
type ImportJobStore interface {
	CreateImportJob(ctx context.Context, list string, userID int64, r io.Reader, max int64) (int64, error)
	FindImportJob(ctx context.Context, id int64) (*bulletin.ImportJob, error)
}

type importView struct {
	ID     int64
	List   string
	Rows   int
	Done   bool
	Result *bulletin.ImportResult
	Error  string
}

// handleListImport stores an uploaded CSV (email,name[,status]) as an
// import job and shows the job's page; the import-jobs service runs it.
func (s *Server) handleListImport(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	if s.ImportJobs == nil {
		s.pageError(w, r, errors.New("import jobs are not wired"))
		return
	}
	if _, err := s.Lists.FindListBySlug(r.Context(), list); err != nil {
		s.pageError(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, bulletin.MaxImportUpload+64<<10)
	part, err := uploadPart(r, "csv")
	var id int64
	if err == nil {
		id, err = s.ImportJobs.CreateImportJob(r.Context(), list, currentUser(r).ID, part, bulletin.MaxImportUpload)
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.pageError(w, r, bulletin.Errorf(bulletin.ETOOLARGE, "the file is larger than %d MiB; use bulletin subscribers import", bulletin.MaxImportUpload>>20))
		return
	case err != nil:
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/imports/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// uploadPart returns the form's file field, to be read as it arrives.
// Other fields are skipped.
func uploadPart(r *http.Request, field string) (io.Reader, error) {
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
		if p.FormName() == field && p.FileName() != "" {
			return p, nil
		}
	}
}

// handleImport shows an import: rows read while it runs (the page reloads
// itself each second, no script needed), then the result and line errors.
// Only the admin who uploaded it may read it.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var j *bulletin.ImportJob
	if err == nil && s.ImportJobs != nil {
		j, err = s.ImportJobs.FindImportJob(r.Context(), id)
	}
	if err != nil || j == nil || j.UserID != currentUser(r).ID {
		s.pageError(w, r, bulletin.Errorf(bulletin.ENOTFOUND, "import not found (imports are kept for a day)"))
		return
	}
	v := importView{ID: j.ID, List: j.List, Rows: j.RowsRead, Done: j.Finished(), Result: j.Result, Error: j.Error}
	s.adminPage(w, r, http.StatusOK, "admin/import.html", "Import into "+j.List, v)
}
