package main

import (
	"os"
	"runtime/debug"

	"bulletin/internal/delivery"
)

// tuneGC raises the collector's target for a process that sends or serves
// the web (delivery.GCPercent, 400, instead of Go's 100), unless the
// operator set GOGC, and bounds the heap that target allows with a soft
// limit (memoryLimit), unless GOMEMLIMIT is set. Both paths make garbage
// per message or per request around a small live heap: at 100 the
// collector took a quarter of the sender's CPU, and 11-16 % of the CPU of
// a cached archive response (ArchiveAgainstNginx with GOGC=400 against
// 100). But a target of 400 lets the heap reach five times what is live,
// and a web process's caches may hold hundreds of MB; the limit keeps the
// heap near what Go's default would allow with them full.
func (m *Main) tuneGC() {
	percent, limit := m.gcTargets(os.Getenv)
	if percent > 0 {
		debug.SetGCPercent(percent)
	}
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
}

// gcTargets is the collector's target and the soft memory limit tuneGC
// sets, each 0 where the environment leaves it to the operator: GOGC
// leaves both (it is the operator's choice of trade), GOMEMLIMIT the limit.
func (m *Main) gcTargets(getenv func(string) string) (percent int, limit int64) {
	if getenv("GOGC") != "" {
		return 0, 0
	}
	if getenv("GOMEMLIMIT") == "" {
		limit = m.memoryLimit()
	}
	return delivery.GCPercent, limit
}

// memoryLimit is 256 MB for the sender, imports and requests, plus twice
// the web role's two memory budgets (the archive cache and the search
// indexes): 512 MB with the defaults. It is a soft limit: near it the
// collector runs more often, at most half the CPU, rather than stopping
// anything.
func (m *Main) memoryLimit() int64 {
	limit := int64(256) << 20
	if m.Config.Roles.Web {
		limit += 2 * int64(m.Config.ArchiveCacheMB+m.Config.SearchIndexMB) << 20
	}
	return limit
}
