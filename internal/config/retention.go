package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MinDeliveryRetention is the shortest BULLETIN_DELIVERY_RETENTION: a
// bounce may come back days after the message, and it finds its delivery
// by the id in its VERP address only while the row is kept.
const MinDeliveryRetention = 30 * 24 * time.Hour

// parseRetention reads a retention as whole days ("365d") or a Go
// duration ("8760h"), at least MinDeliveryRetention.
func parseRetention(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100*365 {
			return 0, fmt.Errorf("%q is not a number of days such as 365d", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 365d or 8760h", s)
		}
	}
	if d < MinDeliveryRetention {
		return 0, fmt.Errorf("%q is under 30 days: late bounces must still find their delivery", s)
	}
	return d, nil
}
