package bulletin

import "time"

// Import job statuses: queued until an import-jobs service claims it,
// running under a lease, then done or failed.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// MaxImportUpload bounds a CSV uploaded through the admin UI (about 8
// million rows); bigger files go through `bulletin subscribers import`.
const MaxImportUpload = 512 << 20

// MaxQueuedImports is how many unfinished imports one user may have.
const MaxQueuedImports = 3

// ImportJob is a CSV import uploaded through the admin UI, kept in the
// database so any process can run it and any process can show it.
type ImportJob struct {
	ID        int64
	List      string // slug
	UserID    int64  // who uploaded it; 0 once that user is deleted
	Status    string
	Attempts  int
	RowsRead  int
	Result    *ImportResult // set when done
	Error     string        // set when failed
	CreatedAt time.Time
}

// Finished reports whether the job has ended, well or not.
func (j *ImportJob) Finished() bool { return j.Status == ImportDone || j.Status == ImportFailed }
