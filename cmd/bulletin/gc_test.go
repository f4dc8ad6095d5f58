package main

import (
	"runtime/debug"
	"testing"

	"bulletin/internal/config"
)

func TestGCTargets(t *testing.T) {
	const mb = 1 << 20
	web := &Main{Config: &config.Config{Roles: config.Roles{Web: true, Sender: true}, ArchiveCacheMB: 64, SearchIndexMB: 64}}
	sender := &Main{Config: &config.Config{Roles: config.Roles{Sender: true}, ArchiveCacheMB: 64, SearchIndexMB: 64}}
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, c := range []struct {
		name    string
		m       *Main
		env     map[string]string
		percent int
		limit   int64
	}{
		{"web and sender, defaults", web, nil, 400, 512 * mb},
		{"sender alone", sender, nil, 400, 256 * mb},
		{"GOGC set: both left to the operator", web, map[string]string{"GOGC": "100"}, 0, 0},
		{"GOMEMLIMIT set: the limit left to the operator", web, map[string]string{"GOMEMLIMIT": "1GiB"}, 400, 0},
	} {
		if p, l := c.m.gcTargets(env(c.env)); p != c.percent || l != c.limit {
			t.Errorf("%s: percent %d, limit %d MB; want %d and %d MB", c.name, p, l/mb, c.percent, c.limit/mb)
		}
	}
}

// A web process started as serve does, with neither GOGC nor GOMEMLIMIT
// set, runs the collector at 400 % under the limit memoryLimit gives.
func TestServeTunesTheCollector(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	m, _ := startMain(t, "web")
	if got := debug.SetGCPercent(400); got != 400 {
		t.Errorf("GC percent %d, want 400", got)
	}
	if got, want := debug.SetMemoryLimit(-1), m.memoryLimit(); got != want || want != 512<<20 {
		t.Errorf("memory limit %d MB, want %d MB (512 with the default budgets)", got>>20, want>>20)
	}
}
