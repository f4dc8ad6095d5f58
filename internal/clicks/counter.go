package clicks

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// Key names what is counted: a link of an issue, or (Link 0) the issue's
// open pixel.
type Key struct {
	Issue int64
	Link  int
}

// Counter counts clicks and opens in memory. Add is a lock-free map read
// and an atomic add once a key has been seen; Take empties the counts for
// a flush. Keys are never removed, so an increment can never land on a
// counter that was dropped: the map holds at most one entry per link
// clicked, which the redirect only creates for links that exist.
type Counter struct {
	m sync.Map // Key -> *atomic.Int64
}

// Add counts n for k.
func (c *Counter) Add(k Key, n int64) {
	if v, ok := c.m.Load(k); ok {
		v.(*atomic.Int64).Add(n)
		return
	}
	v, _ := c.m.LoadOrStore(k, new(atomic.Int64))
	v.(*atomic.Int64).Add(n)
}

// Count is one key's count taken for a flush.
type Count struct {
	Key
	N int64
}

// Take returns every non-zero count, sorted by key, and sets it to zero.
// Counts added meanwhile stay for the next Take: nothing is lost or
// counted twice.
func (c *Counter) Take() []Count {
	var out []Count
	c.m.Range(func(k, v any) bool {
		if n := v.(*atomic.Int64).Swap(0); n != 0 {
			out = append(out, Count{k.(Key), n})
		}
		return true
	})
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Issue, b.Issue), cmp.Compare(a.Link, b.Link))
	})
	return out
}

// Return gives back counts a flush could not store, for the next one.
func (c *Counter) Return(counts []Count) {
	for _, x := range counts {
		c.Add(x.Key, x.N)
	}
}
