package main

import (
	"time"

	"bulletin/internal/schedule"

	"github.com/robfig/cron/v3"
)

// describeSchedule says when a schedule fires, in words for a list's
// description: "every Tuesday at 17:00 Europe/London time". It reads the
// next occurrences of the real cron schedule rather than its text, so it
// says what the scheduler will do. A schedule that is not the same time
// every day or every week gets "" and the caller says nothing about it.
func describeSchedule(spec string, now time.Time) string {
	s, err := schedule.Parse(spec, nil)
	if err != nil || spec == "" {
		return ""
	}
	var next [5]time.Time
	t := now
	for i := range next {
		if t = s.Next(t); t.IsZero() {
			return ""
		}
		next[i] = t
	}
	loc := time.UTC // cron hands back times in the caller's zone; the schedule's own is on the spec
	if ss, ok := s.(*cron.SpecSchedule); ok && ss.Location != nil {
		loc = ss.Location
	}
	var daily, weekly = true, true
	for i := 1; i < len(next); i++ {
		a, b := next[i-1].In(loc), next[i].In(loc)
		if a.Format("15:04") != b.Format("15:04") {
			return ""
		}
		daily = daily && sameDay(a.AddDate(0, 0, 1), b)
		weekly = weekly && sameDay(a.AddDate(0, 0, 7), b)
	}
	first := next[0].In(loc)
	at := " at " + first.Format("15:04") + " " + zoneName(loc)
	switch {
	case daily:
		return "every day" + at
	case weekly:
		return "every " + first.Weekday().String() + at
	}
	return ""
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// zoneName names the zone for a reader: "UTC", or "Europe/London time".
func zoneName(loc *time.Location) string {
	if name := loc.String(); name != "UTC" && name != "" {
		return name + " time"
	}
	return "UTC"
}
