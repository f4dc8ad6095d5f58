package postgres

import (
	"context"
	"log/slog"
)

// The search indexes held are bounded by a budget of estimated bytes
// (BULLETIN_SEARCH_INDEX_MB; the estimate is archive_search_size.go). A
// newly built index that would take the indexes held over the budget
// first evicts the least recently searched indexes of other newsletters;
// one that alone exceeds the budget is not kept: its size is remembered
// with its version, and that newsletter's searches go to the SQL search
// (archiveSearchSQL) until the version moves. A budget of 0 keeps no
// index: every search is SQL. Without LimitSearchIndexes (tests, tools)
// the indexes are unbounded, as before.
//
// What the budget does not count: an index being built (it is counted
// once admitted, after the build), and an evicted index still used by a
// search that loaded it before the eviction (freed when that search ends).

// LimitSearchIndexes bounds the estimated bytes of the search indexes the
// process holds; 0 keeps none. main calls it before serving. Evictions and
// indexes too big for the budget are logged to log (nil: not logged): an
// operator seeing them often should raise the budget.
func (db *DB) LimitSearchIndexes(bytes int64, log *slog.Logger) {
	s := &db.search
	s.mu.Lock()
	s.bounded, s.budget, s.log = true, max(bytes, 0), log
	evicted := s.evictOver(s.budget, nil)
	s.mu.Unlock()
	s.logEvicted(evicted)
}

// SearchIndexBudget is the budget LimitSearchIndexes set; bounded is false
// when none was set.
func (db *DB) SearchIndexBudget() (bytes int64, bounded bool) {
	s := &db.search
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.budget, s.bounded
}

// use returns the newsletter's slot, marked as searched now, and whether
// an index may be kept at all.
func (s *searchIndexes) use(newsletterID int64) (*searchSlot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slots == nil {
		s.slots = map[int64]*searchSlot{}
	}
	sl := s.slots[newsletterID]
	if sl == nil {
		sl = &searchSlot{newsletter: newsletterID}
		s.slots[newsletterID] = sl
	}
	s.clock++
	sl.used = s.clock
	return sl, !s.bounded || s.budget > 0
}

// admit holds ix as sl's index when it fits the budget, evicting the least
// recently searched indexes of other newsletters to make room. An index
// over the budget alone is dropped, with the slot's older one, and its
// version and size remembered: admit reports false and the searches at
// that version go to SQL.
func (s *searchIndexes) admit(sl *searchSlot, ix *searchIndex) bool {
	s.mu.Lock()
	s.held -= sl.size
	sl.size = 0
	if s.bounded && ix.bytes > s.budget {
		sl.cur.Store(nil)
		sl.tooBigSize = ix.bytes
		sl.tooBig.Store(ix.version)
		budget, log := s.budget, s.log
		s.mu.Unlock()
		if log != nil {
			log.Warn("search index over the budget alone; this newsletter's searches run in SQL until its archive changes",
				"newsletter", sl.newsletter, "index_bytes", ix.bytes, "budget_bytes", budget)
		}
		return false
	}
	evicted := s.evictOver(s.budget-ix.bytes, sl)
	sl.cur.Store(ix)
	sl.size = ix.bytes
	s.held += ix.bytes
	s.mu.Unlock()
	s.logEvicted(evicted)
	return true
}

// evictOver drops least recently searched indexes, other than keep's,
// until at most limit bytes are held (unbounded: none), and returns what
// it dropped, for the log. Callers hold mu.
func (s *searchIndexes) evictOver(limit int64, keep *searchSlot) []evicted {
	var out []evicted
	for s.bounded && s.held > limit {
		var lru *searchSlot
		for _, sl := range s.slots {
			if sl != keep && sl.size > 0 && (lru == nil || sl.used < lru.used) {
				lru = sl
			}
		}
		if lru == nil {
			break
		}
		lru.cur.Store(nil)
		s.held -= lru.size
		out = append(out, evicted{log: s.log, newsletter: lru.newsletter, bytes: lru.size, held: s.held, budget: s.budget})
		lru.size = 0
	}
	return out
}

// evicted is an index evictOver dropped, with the logger of the moment.
type evicted struct {
	log                             *slog.Logger
	newsletter, bytes, held, budget int64
}

// logEvicted logs evictions, outside mu. Newsletters that evict each
// other in turn rebuild their indexes on every search; the log shows it.
func (s *searchIndexes) logEvicted(ev []evicted) {
	for _, e := range ev {
		if e.log != nil {
			e.log.Info("search index evicted to keep within the budget", "newsletter", e.newsletter,
				"index_bytes", e.bytes, "held_bytes", e.held, "budget_bytes", e.budget)
		}
	}
}

// searchIndex returns the newsletter's index as of version, building it
// when the one held is older; ok is false when its searches go to SQL: no
// index is kept (budget 0), or the index at this version is over the
// budget alone (built once per version to learn that).
func (db *DB) searchIndex(ctx context.Context, newsletterID, version int64) (ix *searchIndex, ok bool, err error) {
	sl, keep := db.search.use(newsletterID)
	if ix := sl.cur.Load(); ix != nil && ix.version >= version {
		return ix, true, nil
	}
	if !keep || sl.tooBig.Load() >= version && version > 0 {
		return nil, false, nil
	}
	sl.build.Lock()
	defer sl.build.Unlock()
	if ix := sl.cur.Load(); ix != nil && ix.version >= version {
		return ix, true, nil
	}
	if sl.tooBig.Load() >= version && version > 0 {
		return nil, false, nil
	}
	ix, err = db.buildSearchIndex(ctx, newsletterID)
	if err != nil {
		return nil, false, err
	}
	db.search.builds.Add(1)
	if !db.search.admit(sl, ix) {
		return nil, false, nil
	}
	return ix, true, nil
}

// SearchIndexStats is what the process's metrics show of the search
// indexes: the estimated bytes held (what the budget counts), how many
// newsletters' indexes are held, and how many were built since the
// process started, kept or not (a rise while the archive stands still
// means newsletters evicting each other: the budget is too small).
func (db *DB) SearchIndexStats() (held int64, indexes int, builds int64) {
	s := &db.search
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sl := range s.slots {
		if sl.size > 0 {
			indexes++
		}
	}
	return s.held, indexes, s.builds.Load()
}
