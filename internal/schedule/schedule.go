package schedule

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"bulletin/internal/bulletin"

	"github.com/robfig/cron/v3"
)

// Config configures a Scheduler. List and Compile are required.
type Config struct {
	// List returns the newsletters; those with an empty Schedule are skipped.
	List func(ctx context.Context) ([]bulletin.Newsletter, error)
	// Compile compiles nl's issue for slot. It must be idempotent per slot.
	Compile  func(ctx context.Context, nl bulletin.Newsletter, slot time.Time) error
	Location *time.Location   // zone of specs without CRON_TZ; default UTC
	Grace    time.Duration    // catch-up window at start; default 6h
	Poll     time.Duration    // how often schedules are re-read; default 30s
	Now      func() time.Time // default time.Now
	Log      *slog.Logger
}

// Scheduler runs one cron entry per scheduled newsletter.
type Scheduler struct {
	cfg     Config
	cron    *cron.Cron
	mu      sync.Mutex
	entries map[int64]entry
	ctx     context.Context // Run's; jobs compile under it
}

type entry struct {
	key string // slug and spec: a change of either replaces the entry
	id  cron.EntryID
}

// New returns a Scheduler; Run starts it.
func New(cfg Config) *Scheduler {
	if cfg.Grace == 0 {
		cfg.Grace = 6 * time.Hour
	}
	if cfg.Poll == 0 {
		cfg.Poll = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	l := cronLogger{cfg.Log}
	c := cron.New(cron.WithLogger(l), cron.WithLocation(time.UTC),
		cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	return &Scheduler{cfg: cfg, cron: c, entries: map[int64]entry{}, ctx: context.Background()}
}

// Run loads the schedules, compiles a slot missed within the grace window,
// then fires at every slot and re-reads the schedules every Poll until ctx
// ends. It waits for a running compile before returning.
func (s *Scheduler) Run(ctx context.Context) error {
	s.ctx = ctx
	s.reload(ctx, true)
	s.cron.Start()
	defer func() { <-s.cron.Stop().Done() }()
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			s.reload(ctx, false)
		}
	}
}

// Fire compiles nl's slot for a job that fired at fired. Both cron and
// tests call it.
func (s *Scheduler) Fire(ctx context.Context, nl bulletin.Newsletter, sched cron.Schedule, fired time.Time) error {
	slot := Slot(sched, fired)
	err := s.cfg.Compile(ctx, nl, slot)
	switch code := bulletin.ErrorCode(err); code {
	case "", bulletin.ECONFLICT: // compiled, or nothing to do: logged by compile
		return nil
	default:
		s.cfg.Log.Error("scheduled compile failed", "newsletter", nl.Slug, "slot", slot, "err", err)
		return err
	}
}

// reload syncs the cron entries with the newsletters' schedules.
func (s *Scheduler) reload(ctx context.Context, start bool) {
	nls, err := s.cfg.List(ctx)
	if err != nil {
		s.cfg.Log.Error("read schedules", "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[int64]bool{}
	for _, nl := range nls {
		if nl.Schedule == "" {
			continue
		}
		seen[nl.ID] = true
		key := nl.Slug + "\x00" + nl.Schedule
		if e, ok := s.entries[nl.ID]; ok && e.key == key {
			continue
		} else if ok {
			s.cron.Remove(e.id)
		}
		sched, err := Parse(nl.Schedule, s.cfg.Location)
		if err != nil { // recorded with no entry so that it is logged once
			s.cfg.Log.Error("bad schedule; newsletter not compiled automatically", "newsletter", nl.Slug, "err", err)
			s.entries[nl.ID] = entry{key: key}
			continue
		}
		s.entries[nl.ID] = entry{key: key, id: s.cron.Schedule(sched, s.job(nl, sched))}
		s.cfg.Log.Info("schedule loaded", "newsletter", nl.Slug, "schedule", nl.Schedule, "next", sched.Next(s.cfg.Now()))
		if start {
			if slot, ok := LatestSlot(sched, s.cfg.Now(), s.cfg.Grace); ok {
				s.cfg.Log.Info("catching up a missed slot", "newsletter", nl.Slug, "slot", slot)
				_ = s.Fire(ctx, nl, sched, slot)
			}
		}
	}
	for id, e := range s.entries {
		if !seen[id] {
			s.cron.Remove(e.id)
			delete(s.entries, id)
		}
	}
}

func (s *Scheduler) job(nl bulletin.Newsletter, sched cron.Schedule) cron.Job {
	return cron.FuncJob(func() { _ = s.Fire(s.ctx, nl, sched, s.cfg.Now()) })
}

// cronLogger sends cron's own messages (panics recovered, runs skipped) to
// slog; its routine chatter goes to debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
