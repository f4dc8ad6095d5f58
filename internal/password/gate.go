package password

import (
	"runtime"
	"sync/atomic"
)

// Gate caps how many password hashes run at once. Each argon2id check
// holds Default().Memory (64 MiB) while it runs, so without a cap a burst
// of logins costs that much per request. Callers that find the gate full
// answer "try again" instead of waiting, so a flood never queues.
type Gate struct {
	slots   chan struct{}
	running atomic.Int64
	peak    atomic.Int64
}

// NewGate returns a gate for n hashes at once; n < 1 means one per CPU.
func NewGate(n int) *Gate {
	if n < 1 {
		n = runtime.NumCPU()
	}
	return &Gate{slots: make(chan struct{}, n)}
}

// TryEnter takes a slot if one is free and reports whether it did; a
// caller that got one calls Leave when its hash is done.
func (g *Gate) TryEnter() bool {
	select {
	case g.slots <- struct{}{}:
	default:
		return false
	}
	n := g.running.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	return true
}

// Leave frees the slot TryEnter took.
func (g *Gate) Leave() {
	g.running.Add(-1)
	<-g.slots
}

// Cap is how many hashes may run at once.
func (g *Gate) Cap() int { return cap(g.slots) }

// Peak is the most hashes that ran at once since the gate was made.
func (g *Gate) Peak() int { return int(g.peak.Load()) }
