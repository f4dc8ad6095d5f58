package bulletin

// Audience is who an issue of a newsletter would go to if it were sent
// now: the newsletter's lists and the number of distinct active
// subscribers with an active subscription to any of them (what the
// fan-out creates deliveries for). The send confirmation shows it.
type Audience struct {
	Lists  []string `json:"lists"` // list names
	Active int64    `json:"active"`
}
