package importjob_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/importjob"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

func setup(t *testing.T) (*postgres.DB, int64) {
	t.Helper()
	db := pgtest.New(t)
	ctx := context.Background()
	if err := db.CreateList(ctx, &bulletin.List{Slug: "readers", Name: "Readers"}); err != nil {
		t.Fatal(err)
	}
	u := &bulletin.User{Email: "admin@example.org", Role: bulletin.RoleAdmin}
	if err := db.CreateUser(ctx, u, ""); err != nil {
		t.Fatal(err)
	}
	return db, u.ID
}

func upload(t *testing.T, db *postgres.DB, user int64, csv string) int64 {
	t.Helper()
	id, err := db.CreateImportJob(context.Background(), "readers", user, strings.NewReader(csv), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, db *postgres.DB, sql string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func service(store importjob.Store) *importjob.Service {
	return &importjob.Service{Store: store, Log: slog.New(slog.DiscardHandler)}
}

// An uploaded file waits as a job; the service imports it, records counts
// and line errors where any process can read them, and deletes the file.
func TestJobImportsAndKeepsResult(t *testing.T) {
	t.Parallel()
	db, user := setup(t)
	ctx := context.Background()
	id := upload(t, db, user, "email,name\nann@example.org,Ann\nnope,Bob\ncleo@example.org,Cleo\n")
	j, err := db.FindImportJob(ctx, id)
	if err != nil || j.Status != bulletin.ImportQueued || j.UserID != user {
		t.Fatalf("queued job: %+v, %v", j, err)
	}
	if ran, err := service(db).RunOnce(ctx); !ran || err != nil {
		t.Fatalf("RunOnce: %v, %v", ran, err)
	}
	j, err = db.FindImportJob(ctx, id)
	if err != nil || j.Status != bulletin.ImportDone || j.Result == nil {
		t.Fatalf("finished job: %+v, %v", j, err)
	}
	if j.Result.Imported != 2 || len(j.Result.Errors) != 1 || j.Result.Errors[0].Line != 3 {
		t.Errorf("result %+v: want 2 imported and line 3's error", j.Result)
	}
	if n := count(t, db, `SELECT count(*) FROM pg_largeobject_metadata`); n != 0 {
		t.Errorf("%d uploaded files left after the import", n)
	}
	if ran, _ := service(db).RunOnce(ctx); ran {
		t.Error("a finished job ran again")
	}
}

// Bad uploads change nothing: too large, unknown list, too many waiting.
func TestRefusedUploadsStoreNothing(t *testing.T) {
	t.Parallel()
	db, user := setup(t)
	ctx := context.Background()
	if _, err := db.CreateImportJob(ctx, "readers", user, strings.NewReader(strings.Repeat("x", 101)), 100); bulletin.ErrorCode(err) != bulletin.ETOOLARGE {
		t.Errorf("too large: %v", err)
	}
	if _, err := db.CreateImportJob(ctx, "nope", user, strings.NewReader("email\n"), 100); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("unknown list: %v", err)
	}
	for range bulletin.MaxQueuedImports {
		upload(t, db, user, "email\n")
	}
	if _, err := db.CreateImportJob(ctx, "readers", user, strings.NewReader("email\n"), 100); bulletin.ErrorCode(err) != bulletin.ERATELIMIT {
		t.Errorf("one import too many: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM import_jobs`); n != bulletin.MaxQueuedImports {
		t.Errorf("%d jobs stored, want %d", n, bulletin.MaxQueuedImports)
	}
	if n := count(t, db, `SELECT count(*) FROM pg_largeobject_metadata`); n != bulletin.MaxQueuedImports {
		t.Errorf("%d files stored, want %d", n, bulletin.MaxQueuedImports)
	}
}

// stopping is the store with a file that stops the service (as SIGTERM
// would) once the import is under way: after its second read of the file,
// past the header and inside the import's transaction.
type stopping struct {
	*postgres.DB
	stop context.CancelFunc
}

func (s stopping) OpenImportFile(ctx context.Context, j *bulletin.ImportJob) (io.ReadCloser, error) {
	f, err := s.DB.OpenImportFile(ctx, j)
	return &stopAfterRead{ReadCloser: f, stop: s.stop}, err
}

type stopAfterRead struct {
	io.ReadCloser
	stop  context.CancelFunc
	reads int
}

func (r *stopAfterRead) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if r.reads++; r.reads == 2 { // early: the import reads in large pieces
		r.stop()
	}
	return n, err
}

// A stop in the middle of an import rolls all of it back and returns the
// job to the queue uncounted; the next run imports the whole file.
func TestStopRollsBackAndRequeues(t *testing.T) {
	t.Parallel()
	db, user := setup(t)
	var csv strings.Builder
	csv.WriteString("email,name\n")
	for i := range 40000 {
		csv.WriteString("r" + strconv.Itoa(i) + "@example.org,R\n")
	}
	id := upload(t, db, user, csv.String())
	ctx, cancel := context.WithCancel(context.Background())
	if ran, err := service(stopping{db, cancel}).RunOnce(ctx); !ran || err != nil {
		t.Fatalf("RunOnce: %v, %v", ran, err)
	}
	j, _ := db.FindImportJob(context.Background(), id)
	if j.Status != bulletin.ImportQueued || j.Attempts != 0 {
		t.Fatalf("stopped job is %s after %d attempts, want queued, 0", j.Status, j.Attempts)
	}
	if n := count(t, db, `SELECT count(*) FROM subscribers`); n != 0 {
		t.Fatalf("%d subscribers after a stopped import; want none (all or nothing)", n)
	}
	if ran, err := service(db).RunOnce(context.Background()); !ran || err != nil {
		t.Fatalf("second run: %v, %v", ran, err)
	}
	if n := count(t, db, `SELECT count(*) FROM subscribers`); n != 40000 {
		t.Errorf("%d subscribers after the import, want 40000", n)
	}
}

// A job whose process died (its lease ran out) is run by another; the dead
// claim's late record changes nothing; a job that keeps dying is failed.
func TestDeadClaimsAreTakenOverThenGivenUp(t *testing.T) {
	t.Parallel()
	db, user := setup(t)
	ctx := context.Background()
	id := upload(t, db, user, "email\nann@example.org\n")
	var dead *bulletin.ImportJob
	for range 3 {
		j, ok, err := db.ClaimImportJob(ctx, 0) // a lease that has already ended
		if !ok || err != nil {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		dead = j
	}
	if ran, err := service(db).RunOnce(ctx); !ran || err != nil {
		t.Fatalf("RunOnce: %v, %v", ran, err)
	}
	j, _ := db.FindImportJob(ctx, id)
	if j.Status != bulletin.ImportFailed || !strings.Contains(j.Error, "several times") {
		t.Fatalf("a job claimed by 3 dead processes: %s %q; want failed", j.Status, j.Error)
	}
	if err := db.FinishImportJob(ctx, dead, &bulletin.ImportResult{Imported: 1}, ""); err != nil {
		t.Fatal(err)
	}
	if j, _ := db.FindImportJob(ctx, id); j.Status != bulletin.ImportFailed {
		t.Errorf("a dead claim's late record changed the job to %s", j.Status)
	}
}

// A file the import refuses (no email column) fails the job with the
// reason, and is not tried again.
func TestRefusedFileFailsTheJob(t *testing.T) {
	t.Parallel()
	db, user := setup(t)
	ctx := context.Background()
	id := upload(t, db, user, "name\nAnn\n")
	if ran, err := service(db).RunOnce(ctx); !ran || err != nil {
		t.Fatalf("RunOnce: %v, %v", ran, err)
	}
	j, _ := db.FindImportJob(ctx, id)
	if j.Status != bulletin.ImportFailed || j.Error == "" {
		t.Errorf("job %s %q, want failed with the reason", j.Status, j.Error)
	}
}
