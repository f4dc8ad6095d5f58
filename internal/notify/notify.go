// Package notify is the notifier service: it turns "forgot password"
// requests into reset emails, queues the "published in" emails and the
// send report of each issue that finished sending, and the editors'
// digests of new submissions. Every step is one transaction in
// internal/postgres that queues the mail (the outbox sends it) and marks
// what it did, so any number of processes may run the service at once and
// each email is queued once.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Store is what the service needs (internal/postgres).
type Store interface {
	ProcessResetRequests(ctx context.Context, n int) (int, error)
	NotifySentIssue(ctx context.Context) (bool, error)
	QueueDigests(ctx context.Context, period time.Duration) (int, error)
	ScrubSentLinks(ctx context.Context) (int64, error)
}

// Service runs the notifications until its context ends.
type Service struct {
	Store  Store
	Digest time.Duration // at most one digest per editor per Digest (BULLETIN_NOTIFY_DIGEST)
	Poll   time.Duration // how often to look for work (1 s)
	Log    *slog.Logger
}

// Run looks for work every Poll until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	poll := s.Poll
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("notifications", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce does whatever is due now: every pending reset request, every
// sent issue not yet notified, and the digests whose period has passed;
// then it removes the links from the account emails already sent.
// Tests call it.
func (s *Service) RunOnce(ctx context.Context) error {
	var errs []error
	for {
		n, err := s.Store.ProcessResetRequests(ctx, 50)
		if err != nil {
			errs = append(errs, err)
		}
		if err != nil || n < 50 {
			break
		}
	}
	for {
		took, err := s.Store.NotifySentIssue(ctx)
		if err != nil {
			errs = append(errs, err)
		}
		if err != nil || !took {
			break
		}
	}
	if s.Digest > 0 {
		n, err := s.Store.QueueDigests(ctx, s.Digest)
		if err != nil {
			errs = append(errs, err)
		} else if n > 0 {
			s.Log.Info("digests queued", "editors", n)
		}
	}
	if _, err := s.Store.ScrubSentLinks(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
