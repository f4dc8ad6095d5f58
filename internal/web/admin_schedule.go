package web

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// nextRuns returns the next n times a newsletter's cron schedule fires
// after now, in the schedule's own time zone (CRON_TZ=…, else UTC), so the
// page shows the times its editors think in.
func nextRuns(spec string, n int, now time.Time) ([]time.Time, error) {
	if spec == "" {
		return nil, nil
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	loc := time.UTC
	if ss, ok := sched.(*cron.SpecSchedule); ok && ss.Location != time.Local {
		loc = ss.Location
	}
	out := make([]time.Time, 0, n)
	t := now.In(loc)
	for len(out) < n {
		t = sched.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t.In(loc))
	}
	return out, nil
}
