// Package schedule fires each newsletter's compile at its cron slots. It only
// times the trigger: exactly-once per slot comes from the store (a unique
// slot per newsletter), so every serve process may run a scheduler.
package schedule

import (
	"strings"
	"time"
	_ "time/tzdata" // CRON_TZ zone names resolve on hosts without tzdata

	"bulletin/internal/bulletin"

	"github.com/robfig/cron/v3"
)

// Parse parses a newsletter schedule with the standard 5-field parser
// (descriptors such as @weekly and a CRON_TZ= prefix accepted). A spec
// without a zone runs in loc, nil meaning UTC, never the host's zone: two
// servers in different zones must agree on the slots. Errors are EINVALID.
func Parse(spec string, loc *time.Location) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, bulletin.Errorf(bulletin.EINVALID, "schedule %q: %v", spec, err)
	}
	if ss, ok := s.(*cron.SpecSchedule); ok && !hasZone(spec) {
		if loc == nil {
			loc = time.UTC
		}
		ss.Location = loc
	}
	return s, nil
}

// Validate checks a schedule before it is saved.
func Validate(spec string) error {
	_, err := Parse(spec, nil)
	return err
}

func hasZone(spec string) bool {
	spec = strings.TrimSpace(spec)
	return strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=")
}

// Slot is the schedule slot a job fired at fired belongs to. It is derived
// here, not from cron's Entry.Prev (set after the job starts, so racy). A
// slot whose wall-clock time occurs twice (DST fall-back fires "30 1 * * *"
// twice) is always its first occurrence, so both fires claim one slot.
func Slot(s cron.Schedule, fired time.Time) time.Time {
	spec, ok := s.(*cron.SpecSchedule)
	if !ok { // @every: no wall clock to agree on
		return fired.Truncate(time.Second)
	}
	slot := s.Next(fired.Add(-time.Minute))
	if slot.After(fired) {
		slot = fired.Truncate(time.Minute)
	}
	return firstOccurrence(slot, spec.Location)
}

// firstOccurrence returns the earliest instant showing the same wall clock
// as t in loc; zones shift by 30 minutes to 2 hours.
func firstOccurrence(t time.Time, loc *time.Location) time.Time {
	w := t.In(loc)
	for _, back := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
		e := t.Add(-back).In(loc)
		if e.Year() == w.Year() && e.YearDay() == w.YearDay() && e.Hour() == w.Hour() && e.Minute() == w.Minute() && e.Second() == w.Second() {
			return e.In(t.Location())
		}
	}
	return t
}

// LatestSlot is the last slot of s in (now-grace, now], if any: the one a
// restarted scheduler may have missed.
// Only wall-clock schedules have slots to miss; @every has none.
func LatestSlot(s cron.Schedule, now time.Time, grace time.Duration) (time.Time, bool) {
	if _, ok := s.(*cron.SpecSchedule); !ok {
		return time.Time{}, false
	}
	t := s.Next(now.Add(-grace))
	if t.IsZero() || t.After(now) {
		return time.Time{}, false
	}
	for range 100_000 { // bounded: a minutely schedule in a day is 1,440
		next := s.Next(t)
		if next.IsZero() || next.After(now) {
			break
		}
		t = next
	}
	return Slot(s, t), true
}
