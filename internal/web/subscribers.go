package web

import (
	"net/netip"
	"time"
)

// subscriberState is the Server's own state for these pages: the rate
// limiters.
type subscriberState struct {
	byIP   *limiter
	byAddr *limiter
}

// initSubscribers sets up the rate limits of the public form.
func (s *Server) initSubscribers() error {
	// Public form posts: 20 per IP in 200 s; per address 3 in 45 min, so
	// nobody can mail-bomb a stranger with confirmation emails. Counted in
	// the shared store (ratelimit.go).
	st := &subscriberState{
		byIP:   s.newLimiter("subscribe-ip", 20, 200*time.Second),
		byAddr: s.newLimiter("subscribe-address", 3, 45*time.Minute),
	}
	s.subs = st
	return nil
}

// rateKey keys the per-IP limit; IPv6 peers by their /64, which one user
// typically holds whole.
func rateKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// validToken reports whether t looks like one of our tokens, saving a
// query for junk. Unknown and malformed tokens get the same 404 page.
func validToken(t string) bool {
	if len(t) < 16 || len(t) > 64 {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
