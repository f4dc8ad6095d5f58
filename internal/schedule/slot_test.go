package schedule_test

import (
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/schedule"
)

// On fall-back day cron fires "30 1 * * *" twice in New York; both fires
// must map to one slot so that the unique slot makes the second a no-op.
func TestSlotDSTFallBackFiresTwiceOneSlot(t *testing.T) {
	s, err := schedule.Parse("CRON_TZ=America/New_York 30 1 * * *", nil)
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	first := s.Next(time.Date(2026, 10, 31, 12, 0, 0, 0, ny))
	second := s.Next(first)
	if !first.Equal(time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)) || !second.Equal(time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)) {
		t.Fatalf("cron fired at %s and %s; the test assumes the known double fire at 05:30Z and 06:30Z", first.UTC(), second.UTC())
	}
	a := schedule.Slot(s, first.Add(40*time.Millisecond))
	b := schedule.Slot(s, second.Add(40*time.Millisecond))
	if !a.Equal(b) || !a.Equal(first) {
		t.Errorf("slots %s and %s, want both %s", a.UTC(), b.UTC(), first.UTC())
	}
	// The next day is an ordinary slot again.
	third := s.Next(second)
	if got := schedule.Slot(s, third); !got.Equal(third) || got.Equal(a) {
		t.Errorf("next day's slot = %s, want %s", got.UTC(), third.UTC())
	}
}

func TestSlot(t *testing.T) {
	s := mustParseSched(t, "0 17 * * TUE")
	at := time.Date(2026, 11, 17, 17, 0, 0, 0, time.UTC)
	for _, fired := range []time.Time{at, at.Add(3 * time.Millisecond), at.Add(50 * time.Second)} {
		if got := schedule.Slot(s, fired); !got.Equal(at) {
			t.Errorf("Slot(fired %s) = %s, want %s", fired, got, at)
		}
	}
}

func TestLatestSlot(t *testing.T) {
	s := mustParseSched(t, "0 17 * * *")
	slot := time.Date(2026, 11, 17, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		now   time.Time
		grace time.Duration
		want  time.Time
		ok    bool
	}{
		{slot.Add(20 * time.Minute), time.Hour, slot, true},
		{slot, time.Hour, slot, true},
		{slot.Add(-time.Second), time.Hour, time.Time{}, false},
		{slot.Add(2 * time.Hour), time.Hour, time.Time{}, false},
		{slot.Add(49 * time.Hour), 72 * time.Hour, slot.Add(48 * time.Hour), true},
	}
	for _, tt := range tests {
		got, ok := schedule.LatestSlot(s, tt.now, tt.grace)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("LatestSlot(now %s, grace %s) = %s, %v; want %s, %v", tt.now, tt.grace, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, spec := range []string{"0 17 * * TUE", "CRON_TZ=Europe/Berlin 0 17 * * 2", "@weekly", "TZ=Asia/Tokyo 30 8 * * MON-FRI"} {
		if err := schedule.Validate(spec); err != nil {
			t.Errorf("Validate(%q) = %v", spec, err)
		}
	}
	for _, spec := range []string{"0 0 17 * * TUE", "61 * * * *", "CRON_TZ=Not/AZone 0 17 * * *", "every tuesday", "0 17 * *"} {
		if err := schedule.Validate(spec); bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("Validate(%q) = %v, want EINVALID", spec, err)
		}
	}
}

// A spec without a zone runs in UTC, not in the host's zone.
func TestParseDefaultsToUTC(t *testing.T) {
	s := mustParseSched(t, "0 17 * * *")
	got := s.Next(time.Date(2026, 11, 17, 12, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 11, 17, 17, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("next = %s, want %s", got, want)
	}
}
