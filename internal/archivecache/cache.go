package archivecache

import (
	"context"
	"sync"
	"sync/atomic"
)

// Cache maps a request path to its Entry, holding at most max bytes.
// Lookups take a read lock and set a bit; inserts and invalidations take
// the write lock. Eviction is CLOCK: the hand passes over entries used
// since its last visit (clearing the bit) and evicts the first one that
// was not.
//
// The cache stores nothing until Apply has been given the database's
// version once, so a cache that no watcher keeps in step never serves a
// stale page: it only shares concurrent fills.
type Cache struct {
	max int64

	mu    sync.RWMutex
	items map[string]*node
	hand  *node // ring of every node; nil when empty
	size  int64
	gen   uint64 // bumped by every invalidation

	version atomic.Int64 // last database version applied; 0 = none yet
	vmu     sync.Mutex
	changed chan struct{} // closed and replaced by each Apply that changes the version

	fmu   sync.Mutex
	fills map[string]*fill

	misses, evictions atomic.Int64
}

type node struct {
	key        string
	e          *Entry
	used       atomic.Bool
	prev, next *node
}

type fill struct {
	gen  uint64
	done chan struct{}
	e    *Entry
	err  error
}

// New returns a cache holding at most maxBytes of entries.
func New(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, items: map[string]*node{}, changed: make(chan struct{}), fills: map[string]*fill{}}
}

// Get returns the entry stored under key, or nil.
func (c *Cache) Get(key string) *Entry {
	c.mu.RLock()
	n := c.items[key]
	c.mu.RUnlock()
	if n == nil {
		return nil
	}
	if !n.used.Load() {
		n.used.Store(true)
	}
	return n.e
}

// GetQuery is Get of path + "?" + rawQuery, without building that string
// on the heap when it is short.
func (c *Cache) GetQuery(path, rawQuery string) *Entry {
	var buf [512]byte
	if len(path)+1+len(rawQuery) > len(buf) {
		return c.Get(path + "?" + rawQuery)
	}
	key := append(append(append(buf[:0], path...), '?'), rawQuery...)
	c.mu.RLock()
	n := c.items[string(key)] // the compiler looks this up without a copy
	c.mu.RUnlock()
	if n == nil {
		return nil
	}
	if !n.used.Load() {
		n.used.Store(true)
	}
	return n.e
}

// Fetch returns the entry of key, calling build when it is not stored.
// Concurrent callers for one key share one build. The entry is stored when
// keep says so and no invalidation happened since build began (its data
// may predate the change); a caller arriving after an invalidation never
// joins a build that began before it.
func (c *Cache) Fetch(ctx context.Context, key string, build func() (e *Entry, keep bool, err error)) (*Entry, error) {
	if e := c.Get(key); e != nil {
		return e, nil
	}
	c.misses.Add(1)
	c.mu.RLock()
	gen := c.gen
	c.mu.RUnlock()
	c.fmu.Lock()
	if e := c.Get(key); e != nil { // a build finished meanwhile
		c.fmu.Unlock()
		return e, nil
	}
	if f := c.fills[key]; f != nil && f.gen == gen {
		c.fmu.Unlock()
		select {
		case <-f.done:
			return f.e, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f := &fill{gen: gen, done: make(chan struct{})}
	c.fills[key] = f
	c.fmu.Unlock()
	defer func() {
		c.fmu.Lock()
		if c.fills[key] == f {
			delete(c.fills, key)
		}
		c.fmu.Unlock()
		close(f.done)
	}()
	var keep bool
	f.e, keep, f.err = build()
	if f.err == nil && keep {
		c.put(key, f.e, gen)
	}
	return f.e, f.err
}

// put stores e under key unless the cache was invalidated since gen, or
// is not in step with the database yet, or e is over a quarter of the bound.
func (c *Cache) put(key string, e *Entry, gen uint64) {
	if c.version.Load() == 0 || e.size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if old := c.items[key]; old != nil {
		c.unlink(old)
	}
	n := &node{key: key, e: e}
	c.items[key] = n
	c.size += e.size
	if c.hand == nil {
		n.prev, n.next = n, n
		c.hand = n
	} else { // just behind the hand: the last to be visited
		n.prev, n.next = c.hand.prev, c.hand
		c.hand.prev.next = n
		c.hand.prev = n
	}
	for c.size > c.max && c.hand != nil {
		h := c.hand
		if h == n || h.used.Load() {
			h.used.Store(false)
			c.hand = h.next
			continue
		}
		c.unlink(h)
		c.evictions.Add(1)
	}
}

// unlink removes n; the caller holds the write lock.
func (c *Cache) unlink(n *node) {
	delete(c.items, n.key)
	c.size -= n.e.size
	if n.next == n {
		c.hand = nil
		return
	}
	n.prev.next, n.next.prev = n.next, n.prev
	if c.hand == n {
		c.hand = n.next
	}
}

// Invalidate drops every entry; builds under way are not stored.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	clear(c.items)
	c.hand, c.size = nil, 0
	c.gen++
	c.mu.Unlock()
}

// Apply tells the cache the database's archive version. A version other
// than the last one applied drops every entry.
func (c *Cache) Apply(version int64) {
	c.vmu.Lock()
	defer c.vmu.Unlock()
	if version == c.version.Load() {
		return
	}
	c.Invalidate()
	c.version.Store(version)
	close(c.changed)
	c.changed = make(chan struct{})
}

// Version is the last database version applied (0: none yet).
func (c *Cache) Version() int64 { return c.version.Load() }

// WaitVersion waits until a version of at least v has been applied.
func (c *Cache) WaitVersion(ctx context.Context, v int64) error {
	for {
		c.vmu.Lock()
		cur, ch := c.version.Load(), c.changed
		c.vmu.Unlock()
		if cur >= v {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Stats are the cache's counters.
type Stats struct {
	Entries           int
	Bytes, Max        int64
	Misses, Evictions int64
}

// Stats returns the current counters.
func (c *Cache) Stats() Stats {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return Stats{Entries: len(c.items), Bytes: c.size, Max: c.max,
		Misses: c.misses.Load(), Evictions: c.evictions.Load()}
}
