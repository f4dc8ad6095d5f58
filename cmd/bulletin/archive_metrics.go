package main

import (
	"bulletin/internal/archivecache"

	"github.com/prometheus/client_golang/prometheus"
)

// searchIndexStats is the store's report of its archive search indexes
// (postgres.DB.SearchIndexStats).
type searchIndexStats interface {
	SearchIndexStats() (held int64, indexes int, builds int64)
}

// registerArchiveMetrics shows on /metrics the memory a web process holds
// for the archive, to set against the settings that bound it
// (bulletin_archive_cache_max_bytes is BULLETIN_ARCHIVE_CACHE_MB; the
// search budget is BULLETIN_SEARCH_INDEX_MB), and the misses, evictions
// and builds that say whether a bound is too small. Each figure is read
// when /metrics is scraped; cache is nil when the archive cache is off.
func registerArchiveMetrics(reg prometheus.Registerer, cache *archivecache.Cache, search searchIndexStats) {
	gauge := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bulletin", Name: name, Help: help}, f))
	}
	counter := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "bulletin", Name: name, Help: help}, f))
	}
	if cache != nil {
		gauge("archive_cache_bytes", "Bytes of finished archive responses the cache holds, as it counts them against its bound.",
			func() float64 { return float64(cache.Stats().Bytes) })
		gauge("archive_cache_max_bytes", "The archive cache's bound (BULLETIN_ARCHIVE_CACHE_MB).",
			func() float64 { return float64(cache.Stats().Max) })
		gauge("archive_cache_entries", "Archive responses held.",
			func() float64 { return float64(cache.Stats().Entries) })
		counter("archive_cache_misses_total", "Archive requests that had to build their response.",
			func() float64 { return float64(cache.Stats().Misses) })
		counter("archive_cache_evictions_total", "Archive responses dropped to stay within the bound.",
			func() float64 { return float64(cache.Stats().Evictions) })
	}
	gauge("search_index_bytes", "Estimated bytes of the archive search indexes held (bounded by BULLETIN_SEARCH_INDEX_MB).",
		func() float64 { held, _, _ := search.SearchIndexStats(); return float64(held) })
	gauge("search_indexes", "Newsletters whose archive search index is held.",
		func() float64 { _, n, _ := search.SearchIndexStats(); return float64(n) })
	counter("search_index_builds_total", "Archive search indexes built, kept or not.",
		func() float64 { _, _, b := search.SearchIndexStats(); return float64(b) })
}
