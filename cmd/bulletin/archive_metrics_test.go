package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"bulletin/internal/fixture"

	"github.com/prometheus/client_golang/prometheus"
)

// scrape reads the plain metrics of a /metrics page (no labels) into a map.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[name] = v
		}
	}
	return out
}

// A web process shows on /metrics the archive cache's and the search
// indexes' memory, as they fill.
func TestArchiveMetrics(t *testing.T) {
	m, base := startWith(t, "--roles", "web", "--archive-cache-mb", "8", "--search-index-mb", "16")
	is := fixture.SentIssue(t, m.DB, 1)
	nl := fixture.Newsletter(t, m.DB)
	before := scrape(t, base+"/metrics")
	if before["bulletin_archive_cache_max_bytes"] != 8<<20 || before["bulletin_search_index_bytes"] != 0 || before["bulletin_search_indexes"] != 0 {
		t.Fatalf("before any archive request: %v", before)
	}
	page := base + "/archive/" + nl.Slug + "/" + strconv.Itoa(is.Number)
	var got map[string]float64
	fixture.WaitFor(t, "the issue page cached", func() bool { // the cache stores once its watch read the version
		if code := getStatus(t, page, ""); code != http.StatusOK {
			t.Fatalf("GET %s = %d", page, code)
		}
		got = scrape(t, base+"/metrics")
		return got["bulletin_archive_cache_entries"] >= 1
	})
	if got["bulletin_archive_cache_bytes"] <= 0 || got["bulletin_archive_cache_misses_total"] < 1 {
		t.Fatalf("after caching the issue page: %v", got)
	}
	if code := getStatus(t, base+"/archive/"+nl.Slug+"/search?q=anything", ""); code != http.StatusOK {
		t.Fatalf("search = %d", code)
	}
	got = scrape(t, base+"/metrics")
	if got["bulletin_search_indexes"] != 1 || got["bulletin_search_index_bytes"] <= 0 || got["bulletin_search_index_builds_total"] != 1 {
		t.Fatalf("after a search: %v", got)
	}
	if held, _, _ := m.DB.SearchIndexStats(); float64(held) != got["bulletin_search_index_bytes"] {
		t.Fatalf("search_index_bytes = %v, the store holds %d", got["bulletin_search_index_bytes"], held)
	}
}

type fakeSearchStats struct{}

func (fakeSearchStats) SearchIndexStats() (int64, int, int64) { return 4096, 2, 7 }

// Without the archive cache (BULLETIN_ARCHIVE_CACHE_MB=0) only the search
// figures are registered.
func TestArchiveMetricsWithoutCache(t *testing.T) {
	reg := prometheus.NewRegistry()
	registerArchiveMetrics(reg, nil, fakeSearchStats{})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			got[mf.GetName()] = mt.GetGauge().GetValue() + mt.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"bulletin_search_index_bytes": 4096, "bulletin_search_indexes": 2, "bulletin_search_index_builds_total": 7}
	if len(got) != len(want) {
		t.Fatalf("metrics %v, want only %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
