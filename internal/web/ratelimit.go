package web

import (
	"sync"
	"time"
)

// failLimiter counts failed attempts per key (an IP or an email) in a fixed
// window and refuses a key once it reached max failures. Owned by the
// Server, so each server (and each test) has its own.
type failLimiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	hits map[string]failWindow
}

type failWindow struct {
	start time.Time
	n     int
}

func newFailLimiter(max int, window time.Duration) *failLimiter {
	return &failLimiter{max: max, window: window, now: time.Now, hits: map[string]failWindow{}}
}

// blocked reports whether key has used up its failures in this window.
func (l *failLimiter) blocked(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.hits[key]
	if !ok {
		return false
	}
	if l.now().Sub(w.start) >= l.window {
		delete(l.hits, key)
		return false
	}
	return w.n >= l.max
}

// fail records one failed attempt for key. Expired windows are swept here
// so the map stays bounded by the keys active within one window.
func (l *failLimiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.hits) > 10000 {
		for k, w := range l.hits {
			if now.Sub(w.start) >= l.window {
				delete(l.hits, k)
			}
		}
	}
	w, ok := l.hits[key]
	if !ok || now.Sub(w.start) >= l.window {
		w = failWindow{start: now}
	}
	w.n++
	l.hits[key] = w
}

// reset forgets key, after a successful login.
func (l *failLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.hits, key)
}
