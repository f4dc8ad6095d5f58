package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"365d": 365 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "720h": 720 * time.Hour} {
		got, err := parseRetention(in)
		if err != nil || got != want {
			t.Errorf("parseRetention(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "29d", "1h", "-5d", "year", "d", "3.5d"} {
		if _, err := parseRetention(in); err == nil {
			t.Errorf("parseRetention(%q) accepted", in)
		}
	}
}

// The default keeps a year, and a bad value stops start-up with the
// variable's name.
func TestDeliveryRetentionSetting(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DeliveryRetention != 365*24*time.Hour {
		t.Errorf("default retention %v, want 365 days", c.DeliveryRetention)
	}
	_, err = load(t, map[string]string{"BULLETIN_DELIVERY_RETENTION": "7d"})
	if err == nil || !strings.Contains(err.Error(), "BULLETIN_DELIVERY_RETENTION") {
		t.Errorf("7d: err %v, want one naming BULLETIN_DELIVERY_RETENTION", err)
	}
}
