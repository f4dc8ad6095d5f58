// Package outbox is the mail-queue service: it sends the single messages
// (confirmation emails now; welcome, password reset, acknowledgements
// later) that other stages queue in PostgreSQL in the transaction that
// causes them. Each kind of message has a Renderer; failures are retried
// with back-off, and a claim is leased, so a crash repeats at most the
// messages in flight and never drops one.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/poll"

	"github.com/wneessen/go-mail"
)

// Store is the queue as the service needs it (internal/postgres).
type Store interface {
	ClaimMail(ctx context.Context, n int, lease time.Duration) ([]bulletin.QueuedMail, error)
	MarkMailSent(ctx context.Context, m bulletin.QueuedMail) error
	RetryMail(ctx context.Context, m bulletin.QueuedMail, at time.Time, reason string) error
	FailMail(ctx context.Context, m bulletin.QueuedMail, reason string) error
	ReleaseMail(ctx context.Context, m bulletin.QueuedMail) error
}

// Mailer sends one message (internal/smtp's Mailer).
type Mailer interface {
	Send(ctx context.Context, m *mail.Msg) error
}

// Renderer builds the message of one kind from its queued payload.
type Renderer interface {
	Render(payload []byte) (*mail.Msg, error)
}

// Config tunes the service; zero values take the defaults.
type Config struct {
	Poll        time.Duration // how often an idle service looks for due mail (1 s)
	Batch       int           // messages claimed at once (1: each is a dial of its own anyway)
	SendTimeout time.Duration // one send, including the dial (1 min)
	MaxAttempts int           // then the message is failed (8)
	Backoff     time.Duration // wait after the first failure, doubling (30 s, at most 1 h)
}

func (c Config) withDefaults() Config {
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 1
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.Backoff <= 0 {
		c.Backoff = 30 * time.Second
	}
	return c
}

// lease outlasts a batch of sends, so only a dead process loses its
// claim: with the defaults a dead process's message is sent again after
// 2 minutes.
func (c Config) lease() time.Duration { return time.Duration(c.Batch+1) * c.SendTimeout }

// backoff is the wait before attempt n+1 after n failed ones.
func (c Config) backoff(n int) time.Duration {
	d := c.Backoff
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Service sends queued mail until its context ends.
type Service struct {
	Store     Store
	Mailer    Mailer
	Renderers map[string]Renderer
	Config    Config
	Log       *slog.Logger
}

// Run sends due mail until ctx is done. A send under way when ctx ends
// finishes (within SendTimeout) and is recorded; claimed messages not yet
// tried go back to the queue.
func (s *Service) Run(ctx context.Context) error {
	cfg := s.Config.withDefaults()
	round := func(ctx context.Context) (bool, error) {
		n, err := s.RunOnce(ctx)
		return n == cfg.Batch, err // a full batch: more may be due
	}
	poll.Loop(ctx, cfg.Poll, round, nil, func(err error) { s.Log.Warn("mail queue", "err", err) })
	return nil
}

// RunOnce claims one batch of due messages and sends it; it returns how
// many it claimed. Tests call it to send what is queued.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	cfg := s.Config.withDefaults()
	// Claims and records are not cut off by a stop: a statement cut off
	// mid-way may have committed with its answer lost.
	bg := context.WithoutCancel(ctx)
	batch, err := s.Store.ClaimMail(bg, cfg.Batch, cfg.lease())
	if err != nil {
		return 0, err
	}
	for i, m := range batch {
		if ctx.Err() != nil {
			for _, rest := range batch[i:] {
				if err := s.Store.ReleaseMail(bg, rest); err != nil {
					return len(batch), err
				}
			}
			return len(batch), nil
		}
		if err := s.send(bg, cfg, m); err != nil {
			return len(batch), err
		}
	}
	return len(batch), nil
}

// send tries one message and records the outcome; it returns only the
// errors of recording it.
func (s *Service) send(ctx context.Context, cfg Config, m bulletin.QueuedMail) error {
	r, ok := s.Renderers[m.Kind]
	if !ok {
		s.Log.Error("mail queue: no renderer", "id", m.ID, "kind", m.Kind)
		return s.Store.FailMail(ctx, m, "no renderer for kind "+m.Kind)
	}
	msg, err := r.Render(m.Payload)
	if err != nil {
		s.Log.Error("mail queue: render", "id", m.ID, "kind", m.Kind, "err", err)
		return s.Store.FailMail(ctx, m, "render: "+err.Error())
	}
	sctx, cancel := context.WithTimeout(ctx, cfg.SendTimeout)
	err = s.Mailer.Send(sctx, msg)
	cancel()
	switch {
	case err == nil:
		s.Log.Debug("mail sent", "id", m.ID, "kind", m.Kind)
		return s.Store.MarkMailSent(ctx, m)
	case permanent(err) || m.Attempts >= cfg.MaxAttempts:
		s.Log.Error("mail failed", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "err", err)
		return s.Store.FailMail(ctx, m, err.Error())
	default:
		wait := cfg.backoff(m.Attempts)
		s.Log.Warn("mail deferred", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "retry_in", wait, "err", err)
		return s.Store.RetryMail(ctx, m, time.Now().Add(wait), err.Error())
	}
}

// permanent reports a 5xx answer from the server: trying again cannot help.
func permanent(err error) bool {
	var se *mail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp() && se.ErrorCode() >= 500
	}
	return false
}

// Drain sends everything due now, batch after batch, and returns when the
// queue has nothing due. For tests and one-shot commands.
func (s *Service) Drain(ctx context.Context) error {
	for {
		n, err := s.RunOnce(ctx)
		if err != nil {
			return fmt.Errorf("drain mail queue: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
}
