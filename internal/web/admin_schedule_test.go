package web

import (
	"testing"
	"time"
)

func TestNextRuns(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) // a Tuesday, 13:00 in Berlin
	for _, tc := range []struct {
		spec string
		want []string
	}{
		{"CRON_TZ=Europe/Berlin 0 17 * * TUE", []string{"2026-11-24 17:00 CET", "2026-12-01 17:00 CET"}},
		{"CRON_TZ=America/New_York 30 9 * * MON", []string{"2026-11-30 09:30 EST", "2026-12-07 09:30 EST"}},
		{"0 8 1 * *", []string{"2026-12-01 08:00 UTC", "2027-01-01 08:00 UTC"}},
	} {
		got, err := nextRuns(tc.spec, 2, now)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		for i, g := range got {
			if s := g.Format("2006-01-02 15:04 MST"); s != tc.want[i] {
				t.Errorf("%s: run %d = %s, want %s", tc.spec, i, s, tc.want[i])
			}
		}
		if len(got) != 2 {
			t.Errorf("%s: %d runs", tc.spec, len(got))
		}
	}
	if _, err := nextRuns("0 17 * *", 2, now); err == nil {
		t.Error("a 4-field schedule was accepted")
	}
	if runs, err := nextRuns("", 2, now); err != nil || runs != nil {
		t.Errorf("manual-only schedule: %v %v", runs, err)
	}
}
