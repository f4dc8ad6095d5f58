package bulletin

import (
	"strings"
	"time"
)

// ScheduleLocation is the time zone the newsletter's schedule names with a
// CRON_TZ= (or TZ=) prefix; ok is false when it names none, or one this
// system does not know.
func (n *Newsletter) ScheduleLocation() (loc *time.Location, ok bool) {
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, found := strings.CutPrefix(strings.TrimSpace(n.Schedule), prefix); found {
			name, _, _ := strings.Cut(rest, " ")
			if l, err := time.LoadLocation(name); err == nil {
				return l, true
			}
		}
	}
	return nil, false
}

// Location is the newsletter's time zone: its schedule's, else UTC. Issue
// dates and the send times an editor picks are read in it.
func (n *Newsletter) Location() *time.Location {
	if loc, ok := n.ScheduleLocation(); ok {
		return loc
	}
	return time.UTC
}
