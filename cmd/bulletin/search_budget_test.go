package main

import "testing"

// serve hands BULLETIN_SEARCH_INDEX_MB to the store as its search index
// budget, in bytes; 0 is a budget too (no index kept), not "unbounded".
func TestServeSearchIndexBudget(t *testing.T) {
	for _, tc := range []struct {
		mb   string
		want int64
	}{{"3", 3 << 20}, {"0", 0}} {
		m, _ := startWith(t, "--roles", "web", "--search-index-mb", tc.mb)
		if got, bounded := m.DB.SearchIndexBudget(); got != tc.want || !bounded {
			t.Errorf("--search-index-mb %q: budget %d bytes (bounded %v), want %d", tc.mb, got, bounded, tc.want)
		}
	}
}
