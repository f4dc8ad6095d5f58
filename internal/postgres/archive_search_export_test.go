package postgres

import "context"

// SearchIndexesHeld reports, for the tests, the estimated bytes of each
// newsletter's index held, and the sum the budget counts.
func (db *DB) SearchIndexesHeld() (map[int64]int64, int64) {
	s := &db.search
	s.mu.Lock()
	defer s.mu.Unlock()
	held := map[int64]int64{}
	for id, sl := range s.slots {
		if sl.size > 0 {
			if sl.cur.Load() == nil {
				panic("a size counted for an index not held")
			}
			held[id] = sl.size
		}
	}
	return held, s.held
}

// SearchIndexBuilds is how many indexes the process has built, kept or not.
func (db *DB) SearchIndexBuilds() int64 { return db.search.builds.Load() }

// SearchIndexTooBig is the size of the newsletter's last index that was
// over the budget alone, and the version it was built at (0, 0: none).
func (db *DB) SearchIndexTooBig(newsletterID int64) (size, version int64) {
	s := &db.search
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.slots[newsletterID]
	if sl == nil {
		return 0, 0
	}
	return sl.tooBigSize, sl.tooBig.Load()
}

// BuildSearchIndex builds the newsletter's index without holding it, and
// returns it (to keep it alive while the heap is measured) with its
// estimate.
func (db *DB) BuildSearchIndex(ctx context.Context, newsletterID int64) (any, int64, error) {
	ix, err := db.buildSearchIndex(ctx, newsletterID)
	if err != nil {
		return nil, 0, err
	}
	return ix, ix.bytes, nil
}
