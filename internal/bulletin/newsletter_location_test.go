package bulletin

import "testing"

func TestNewsletterLocation(t *testing.T) {
	for schedule, want := range map[string]string{
		"CRON_TZ=Europe/Paris 0 9 * * 1":  "Europe/Paris",
		"TZ=America/New_York 0 9 * * 1":   "America/New_York",
		"0 9 * * 1":                       "UTC",
		"CRON_TZ=Nowhere/Atall 0 9 * * *": "UTC",
		"":                                "UTC",
	} {
		n := Newsletter{Schedule: schedule}
		if got := n.Location().String(); got != want {
			t.Errorf("schedule %q: location %s, want %s", schedule, got, want)
		}
	}
}
