package web

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimitStore keeps rate-limit counts where every serve process sees
// them (PostgreSQL's rate_limits table; main wires it). HitRateLimit adds n
// to key's count in a fixed window, starting a new window when the last
// one ended, and returns the count after the addition and the window's end.
type RateLimitStore interface {
	HitRateLimit(ctx context.Context, key string, n int, window time.Duration) (int, time.Time, error)
	ResetRateLimit(ctx context.Context, key string) error
	SweepRateLimits(ctx context.Context) (int64, error)
}

// limiter allows max hits per key in each window. Each hit is counted
// before the work it guards, and the check reads the count the increment
// returned, so parallel requests cannot all pass one check.
type limiter struct {
	s      *Server
	prefix string // keeps the limits' keys apart in the one table
	max    int
	window time.Duration
}

func (s *Server) newLimiter(prefix string, max int, window time.Duration) *limiter {
	return &limiter{s: s, prefix: prefix, max: max, window: window}
}

// hit counts one attempt for key and reports whether it is within the
// limit and, if not, how long until the window ends.
func (l *limiter) hit(ctx context.Context, key string) (bool, time.Duration, error) {
	l.s.sweepRateLimits(ctx)
	n, end, err := l.s.rateLimits().HitRateLimit(ctx, l.prefix+":"+key, 1, l.window)
	if err != nil {
		return false, 0, err
	}
	return n <= l.max, time.Until(end), nil
}

// Allow counts one attempt for key and reports whether it is within the
// limit. A store that fails refuses (and logs): limits fail closed.
func (l *limiter) Allow(ctx context.Context, key string) bool {
	ok, _, err := l.hit(ctx, key)
	if err != nil {
		l.s.Log.Error("rate limit", "key", l.prefix+":"+key, "err", err)
		return false
	}
	return ok
}

// giveBack returns one attempt that was counted but not tried.
func (l *limiter) giveBack(ctx context.Context, key string) {
	if _, _, err := l.s.rateLimits().HitRateLimit(ctx, l.prefix+":"+key, -1, l.window); err != nil {
		l.s.Log.Error("rate limit: give back", "key", l.prefix+":"+key, "err", err)
	}
}

// reset forgets key's count, e.g. an address after its successful login.
func (l *limiter) reset(ctx context.Context, key string) {
	if err := l.s.rateLimits().ResetRateLimit(ctx, l.prefix+":"+key); err != nil {
		l.s.Log.Error("rate limit: reset", "key", l.prefix+":"+key, "err", err)
	}
}

// retryAfter sets Retry-After to d, rounded up to whole seconds.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	secs := int((d + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
}

// sweepEvery is how often the rows of ended windows are deleted; any
// process that counts a hit after that long does it, in the request.
const sweepEvery = 10 * time.Minute

func (s *Server) sweepRateLimits(ctx context.Context) {
	now := time.Now().UnixNano()
	last := s.lastSweep.Load()
	if now-last < int64(sweepEvery) || !s.lastSweep.CompareAndSwap(last, now) {
		return
	}
	if n, err := s.rateLimits().SweepRateLimits(ctx); err != nil {
		s.Log.Error("rate limit sweep", "err", err)
	} else if n > 0 {
		s.Log.Debug("rate limit sweep", "deleted", n)
	}
}

func (s *Server) rateLimits() RateLimitStore {
	if s.RateLimits != nil {
		return s.RateLimits
	}
	return s.localLimits
}

// memoryLimits is the RateLimitStore of a server without a database
// (RateLimits nil): counts live in this process only.
type memoryLimits struct {
	mu   sync.Mutex
	hits map[string]memoryWindow
}

type memoryWindow struct {
	n   int
	end time.Time
}

func (m *memoryLimits) HitRateLimit(_ context.Context, key string, n int, window time.Duration) (int, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	w := m.hits[key]
	if !now.Before(w.end) {
		w = memoryWindow{end: now.Add(window)}
	}
	w.n = max(w.n+n, 0)
	m.hits[key] = w
	return w.n, w.end, nil
}

func (m *memoryLimits) ResetRateLimit(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.hits, key)
	return nil
}

func (m *memoryLimits) SweepRateLimits(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	now := time.Now()
	for k, w := range m.hits {
		if !now.Before(w.end) {
			delete(m.hits, k)
			n++
		}
	}
	return n, nil
}
