package clicks

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Target is what a redirect or pixel key resolves to: the stored URL
// (empty for the pixel) and whether the newsletter counts it now.
// Found is false for a link or issue that does not exist.
type Target struct {
	URL   string
	Count bool
	Found bool
}

// Lookup reads a Key's Target from the store: Link > 0 is issue_links,
// Link 0 the issue itself (for the open pixel).
type Lookup interface {
	LookupClickTarget(ctx context.Context, k Key) (Target, error)
}

// Resolver caches Lookup's answers in memory, bounded: at most Max entries
// (default 50,000; when full it starts again empty) each kept for TTL
// (default one minute, so a switched-off count or a re-rendered draft is
// seen within a minute). Reads take no lock.
type Resolver struct {
	Lookup Lookup
	Max    int64
	TTL    time.Duration

	m    sync.Map // Key -> cached
	size atomic.Int64
}

type cached struct {
	Target
	until int64 // unix nanoseconds
}

// Resolve returns k's target, from memory when it is fresh.
func (r *Resolver) Resolve(ctx context.Context, k Key) (Target, error) {
	now := time.Now().UnixNano()
	if v, ok := r.m.Load(k); ok {
		if c := v.(*cached); c.until > now {
			return c.Target, nil
		}
	}
	t, err := r.Lookup.LookupClickTarget(ctx, k)
	if err != nil {
		return Target{}, err
	}
	ttl := r.TTL
	if ttl <= 0 {
		ttl = time.Minute
	}
	limit := r.Max
	if limit <= 0 {
		limit = 50_000
	}
	if r.size.Add(1) > limit {
		r.m.Clear()
		r.size.Store(1)
	}
	r.m.Store(k, &cached{t, now + int64(ttl)})
	return t, nil
}
