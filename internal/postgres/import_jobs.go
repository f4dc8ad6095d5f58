package postgres

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// CreateImportJob stores an uploaded CSV as a large object and queues its
// import, in one transaction: a refused or broken upload leaves nothing.
// A file over max bytes is ETOOLARGE; a user with MaxQueuedImports
// unfinished imports gets ERATELIMIT.
func (db *DB) CreateImportJob(ctx context.Context, list string, userID int64, r io.Reader, max int64) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := findList(ctx, tx, list); err != nil {
			return bulletin.Errorf(bulletin.ENOTFOUND, "list %q not found", list)
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM import_jobs WHERE user_id = $1 AND status IN ('queued', 'running')`,
			userID).Scan(&open); err != nil {
			return fmt.Errorf("count imports: %w", err)
		}
		if open >= bulletin.MaxQueuedImports {
			return bulletin.Errorf(bulletin.ERATELIMIT, "%d imports are still waiting or running; wait for one to finish", open)
		}
		los := tx.LargeObjects()
		oid, err := los.Create(ctx, 0)
		if err != nil {
			return fmt.Errorf("store upload: %w", err)
		}
		lo, err := los.Open(ctx, oid, pgx.LargeObjectModeWrite)
		if err != nil {
			return fmt.Errorf("store upload: %w", err)
		}
		n, err := io.Copy(lo, io.LimitReader(r, max+1))
		if err != nil {
			return fmt.Errorf("store upload: %w", err)
		}
		if n > max {
			return bulletin.Errorf(bulletin.ETOOLARGE, "the file is larger than %d MiB; use bulletin subscribers import", max>>20)
		}
		if err := lo.Close(); err != nil {
			return fmt.Errorf("store upload: %w", err)
		}
		return tx.QueryRow(ctx, `INSERT INTO import_jobs (list_slug, user_id, file_oid, file_bytes) VALUES ($1, $2, $3, $4) RETURNING id`,
			list, userID, oid, n).Scan(&id)
	})
	return id, err
}

const importJobColumns = `j.id, j.list_slug, coalesce(j.user_id, 0), j.status, j.attempts, j.rows_read, j.result, j.error, j.created_at`

func scanImportJob(row pgx.Row) (*bulletin.ImportJob, error) {
	j := &bulletin.ImportJob{}
	var result []byte
	if err := row.Scan(&j.ID, &j.List, &j.UserID, &j.Status, &j.Attempts, &j.RowsRead, &result, &j.Error, &j.CreatedAt); err != nil {
		return nil, err
	}
	if result != nil {
		j.Result = &bulletin.ImportResult{}
		if err := json.Unmarshal(result, j.Result); err != nil {
			return nil, fmt.Errorf("import %d result: %w", j.ID, err)
		}
	}
	return j, nil
}

// FindImportJob reads an import's state, progress and result.
func (db *DB) FindImportJob(ctx context.Context, id int64) (*bulletin.ImportJob, error) {
	j, err := scanImportJob(db.Pool.QueryRow(ctx, `SELECT `+importJobColumns+` FROM import_jobs j WHERE j.id = $1`, id))
	if err != nil {
		return nil, mapErr(err, "import")
	}
	return j, nil
}

// ClaimImportJob leases the oldest queued import, or one whose lease has
// expired (its process died). ok is false when there is none.
func (db *DB) ClaimImportJob(ctx context.Context, lease time.Duration) (job *bulletin.ImportJob, ok bool, err error) {
	j, err := scanImportJob(db.Pool.QueryRow(ctx, `UPDATE import_jobs j SET status = 'running', attempts = j.attempts + 1,
			locked_until = now() + $1::interval, rows_read = 0, updated_at = now()
		FROM (SELECT id FROM import_jobs
			WHERE status = 'queued' OR (status = 'running' AND locked_until < now())
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) next
		WHERE j.id = next.id
		RETURNING `+importJobColumns, lease))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("claim import: %w", err)
	}
	return j, true, nil
}

// The updates below act only while this claim (its attempt number) holds
// the job, so a process whose lease was taken over changes nothing.

// RenewImportJob extends a running job's lease.
func (db *DB) RenewImportJob(ctx context.Context, j *bulletin.ImportJob, lease time.Duration) error {
	return db.updateImportJob(ctx, j, `locked_until = now() + $3::interval`, lease)
}

// ImportJobProgress records the rows read so far.
func (db *DB) ImportJobProgress(ctx context.Context, j *bulletin.ImportJob, rows int) error {
	return db.updateImportJob(ctx, j, `rows_read = $3`, rows)
}

// ReleaseImportJob returns a job to the queue (its process is stopping;
// the import rolled back), without counting the attempt.
func (db *DB) ReleaseImportJob(ctx context.Context, j *bulletin.ImportJob) error {
	return db.updateImportJob(ctx, j, `status = 'queued', locked_until = NULL, rows_read = 0, attempts = attempts - 1`)
}

// FinishImportJob records the outcome (res when it succeeded, failure
// otherwise) and deletes the uploaded file.
func (db *DB) FinishImportJob(ctx context.Context, j *bulletin.ImportJob, res *bulletin.ImportResult, failure string) error {
	status, result := bulletin.ImportDone, []byte(nil)
	if res == nil {
		status = bulletin.ImportFailed
	} else {
		var err error
		if result, err = json.Marshal(res); err != nil {
			return fmt.Errorf("import %d: %w", j.ID, err)
		}
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var oid *uint32
		err := tx.QueryRow(ctx, `UPDATE import_jobs j SET status = $3, result = $4, error = $5, locked_until = NULL,
				file_oid = NULL, finished_at = now(), updated_at = now()
			FROM (SELECT id, file_oid FROM import_jobs WHERE id = $1 AND attempts = $2 AND status = 'running' FOR UPDATE) old
			WHERE j.id = old.id
			RETURNING old.file_oid`, j.ID, j.Attempts, status, result, failure).Scan(&oid)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // taken over by another process; its outcome stands
		}
		if err != nil {
			return fmt.Errorf("finish import %d: %w", j.ID, err)
		}
		if oid != nil {
			los := tx.LargeObjects()
			if err := los.Unlink(ctx, *oid); err != nil {
				return fmt.Errorf("finish import %d: delete upload: %w", j.ID, err)
			}
		}
		return nil
	})
}

func (db *DB) updateImportJob(ctx context.Context, j *bulletin.ImportJob, set string, args ...any) error {
	args = append([]any{j.ID, j.Attempts}, args...)
	if _, err := db.Pool.Exec(ctx, `UPDATE import_jobs SET `+set+`, updated_at = now()
		WHERE id = $1 AND attempts = $2 AND status = 'running'`, args...); err != nil {
		return fmt.Errorf("import %d: %w", j.ID, err)
	}
	return nil
}

// OpenImportFile streams a job's uploaded file. It holds a transaction
// (and a connection) until Close.
func (db *DB) OpenImportFile(ctx context.Context, j *bulletin.ImportJob) (io.ReadCloser, error) {
	tx, err := db.Pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("open import %d: %w", j.ID, err)
	}
	var oid *uint32
	if err := tx.QueryRow(ctx, `SELECT file_oid FROM import_jobs WHERE id = $1`, j.ID).Scan(&oid); err != nil || oid == nil {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("open import %d: no file (%v)", j.ID, err)
	}
	los := tx.LargeObjects()
	lo, err := los.Open(ctx, *oid, pgx.LargeObjectModeRead)
	if err != nil {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("open import %d: %w", j.ID, err)
	}
	// Each read of a large object is a round trip: read it in big pieces.
	return &importFile{r: bufio.NewReaderSize(lo, 256<<10), tx: tx}, nil
}

type importFile struct {
	r  io.Reader
	tx pgx.Tx
}

func (f *importFile) Read(p []byte) (int, error) { return f.r.Read(p) }

func (f *importFile) Close() error { return f.tx.Rollback(context.Background()) }

// PurgeImportJobs deletes finished jobs older than age.
func (db *DB) PurgeImportJobs(ctx context.Context, age time.Duration) error {
	if _, err := db.Pool.Exec(ctx, `DELETE FROM import_jobs WHERE finished_at < now() - $1::interval`, age); err != nil {
		return fmt.Errorf("purge imports: %w", err)
	}
	return nil
}
