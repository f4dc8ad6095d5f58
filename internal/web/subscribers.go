package web

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// subscriberState is the Server's own state for these pages: the rate
// limiters.
type subscriberState struct {
	byIP   *limiter
	byAddr *limiter
}

// initSubscribers sets up the rate limits of the public form.
func (s *Server) initSubscribers() error {
	// Public form posts: a burst of 20 per IP, then one per 10 s; per
	// address 3, then one per 15 min, so nobody can mail-bomb a stranger
	// with confirmation emails.
	st := &subscriberState{
		byIP:   newLimiter(rate.Every(10*time.Second), 20),
		byAddr: newLimiter(rate.Every(15*time.Minute), 3),
	}
	s.subs = st
	return nil
}

// limiter is a token bucket per key, forgetting keys idle for an hour.
type limiter struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	keys  map[string]*limiterEntry
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(every rate.Limit, burst int) *limiter {
	return &limiter{every: every, burst: burst, keys: map[string]*limiterEntry{}}
}

// Allow takes one token from key's bucket.
func (l *limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.keys) > 10000 {
		for k, e := range l.keys {
			if now.Sub(e.seen) > time.Hour {
				delete(l.keys, k)
			}
		}
	}
	e, ok := l.keys[key]
	if !ok {
		e = &limiterEntry{lim: rate.NewLimiter(l.every, l.burst)}
		l.keys[key] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}

// rateKey keys the per-IP limit; IPv6 peers by their /64, which one user
// typically holds whole.
func rateKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// validToken reports whether t looks like one of our tokens, saving a
// query for junk. Unknown and malformed tokens get the same 404 page.
func validToken(t string) bool {
	if len(t) < 16 || len(t) > 64 {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
