// Package importjob is the import-jobs service: it runs the CSV imports
// uploaded through the admin UI, which wait in PostgreSQL, one at a time
// per process, claimed with SKIP LOCKED under a lease it renews while it
// works. The import is one transaction: a stop rolls it back and returns
// the job to the queue, a crash lets the lease expire and another process
// (or this one, restarted) runs it again from the start.
package importjob

import (
	"context"
	"io"
	"log/slog"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/poll"
)

// Store is the queue and the import as the service needs them.
type Store interface {
	ClaimImportJob(ctx context.Context, lease time.Duration) (*bulletin.ImportJob, bool, error)
	RenewImportJob(ctx context.Context, j *bulletin.ImportJob, lease time.Duration) error
	ImportJobProgress(ctx context.Context, j *bulletin.ImportJob, rows int) error
	OpenImportFile(ctx context.Context, j *bulletin.ImportJob) (io.ReadCloser, error)
	ImportSubscribers(ctx context.Context, slug string, r io.Reader, opt bulletin.ImportOptions) (*bulletin.ImportResult, error)
	FinishImportJob(ctx context.Context, j *bulletin.ImportJob, res *bulletin.ImportResult, failure string) error
	ReleaseImportJob(ctx context.Context, j *bulletin.ImportJob) error
	PurgeImportJobs(ctx context.Context, age time.Duration) error
}

// Config tunes the service; zero values take the defaults.
type Config struct {
	Poll        time.Duration // how often an idle service looks for a job (2 s)
	Lease       time.Duration // renewed every third of it while the job runs (30 s)
	MaxAttempts int           // claims before a job that keeps dying is failed (3)
	Keep        time.Duration // finished jobs are kept this long to be read (24 h)
}

func (c Config) withDefaults() Config {
	if c.Poll <= 0 {
		c.Poll = 2 * time.Second
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 3
	}
	if c.Keep <= 0 {
		c.Keep = 24 * time.Hour
	}
	return c
}

// Service runs queued imports until its context ends.
type Service struct {
	Store  Store
	Config Config
	Log    *slog.Logger
}

// Run works the queue until ctx is done; between jobs, while idle, it
// purges finished jobs older than Keep.
func (s *Service) Run(ctx context.Context) error {
	cfg := s.Config.withDefaults()
	purge := func(ctx context.Context) {
		if err := s.Store.PurgeImportJobs(ctx, cfg.Keep); err != nil && ctx.Err() == nil {
			s.Log.Warn("import jobs: purge", "err", err)
		}
	}
	poll.Loop(ctx, cfg.Poll, s.RunOnce, purge, func(err error) { s.Log.Warn("import jobs", "err", err) })
	return nil
}

// RunOnce claims one job and runs it to its end (or, when ctx ends, back
// to the queue); it reports whether there was one.
func (s *Service) RunOnce(ctx context.Context) (bool, error) {
	cfg := s.Config.withDefaults()
	bg := context.WithoutCancel(ctx) // records are not cut off by a stop
	j, ok, err := s.Store.ClaimImportJob(bg, cfg.Lease)
	if err != nil || !ok {
		return false, err
	}
	log := s.Log.With("import", j.ID, "list", j.List, "attempt", j.Attempts)
	if j.Attempts > cfg.MaxAttempts {
		log.Error("import given up: its process died each time")
		return true, s.Store.FinishImportJob(bg, j, nil, "the import stopped unexpectedly several times; try a smaller file or the command line")
	}
	log.Info("import started")
	res, err := s.run(ctx, cfg, j)
	switch {
	case err == nil:
		log.Info("import done", "imported", res.Imported, "created", res.Created, "skipped", res.Skipped)
		return true, s.Store.FinishImportJob(bg, j, res, "")
	case ctx.Err() != nil:
		// Stopping: the import's transaction rolled back whole.
		log.Info("import returned to the queue: stopping")
		return true, s.Store.ReleaseImportJob(bg, j)
	case bulletin.ErrorCode(err) != bulletin.EINTERNAL:
		log.Info("import refused", "err", err)
		return true, s.Store.FinishImportJob(bg, j, nil, bulletin.ErrorMessage(err))
	case j.Attempts < cfg.MaxAttempts:
		log.Warn("import failed; it will be tried again", "err", err)
		return true, s.Store.ReleaseImportJob(bg, j)
	default:
		log.Error("import failed", "err", err)
		return true, s.Store.FinishImportJob(bg, j, nil, bulletin.ErrorMessage(err))
	}
}

// run imports the job's file while a helper keeps the lease.
func (s *Service) run(ctx context.Context, cfg Config, j *bulletin.ImportJob) (*bulletin.ImportResult, error) {
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	renewed := make(chan struct{})
	go func() { // ends with this job
		defer close(renewed)
		t := time.NewTicker(cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-jctx.Done():
				return
			case <-t.C:
				if err := s.Store.RenewImportJob(jctx, j, cfg.Lease); err != nil && jctx.Err() == nil {
					s.Log.Warn("import: renew lease", "import", j.ID, "err", err)
				}
			}
		}
	}()
	defer func() { cancel(); <-renewed }()
	f, err := s.Store.OpenImportFile(jctx, j)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var last time.Time
	return s.Store.ImportSubscribers(jctx, j.List, f, bulletin.ImportOptions{Progress: func(rows int) {
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		if err := s.Store.ImportJobProgress(jctx, j, rows); err != nil && jctx.Err() == nil {
			s.Log.Warn("import: progress", "import", j.ID, "err", err)
		}
	}})
}
