package inbound

import (
	"net/mail"
	"strings"
)

// autoSubmitted reports whether a message says it was sent automatically
// (RFC 3834 and the usual non-standard marks of vacation responders).
func autoSubmitted(h mail.Header, subject string) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if h.Get(k) != "" {
			return true
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "auto_reply", "bulk", "junk", "list":
		return true
	}
	if h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "" {
		return true // a mailing list's mail: never a person writing to us
	}
	s := strings.ToLower(subject)
	for _, p := range []string{"auto:", "automatic reply", "autoreply", "auto-reply", "out of office", "out of the office", "vacation", "abwesenheit"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
