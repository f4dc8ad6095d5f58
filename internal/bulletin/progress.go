package bulletin

// Progress is an issue's sending progress: its delivery counts, the recent
// send rate and the time left at that rate.
type Progress struct {
	Counts
	Rate   float64 `json:"rate"`            // messages per second over the last 10–20 s
	ETA    float64 `json:"eta_seconds"`     // seconds until nothing is pending at Rate; 0 when unknown
	Paused bool    `json:"paused"`          // stopped by the sender-configuration alarm (5.7.x rejections)
	Alarm  string  `json:"alarm,omitempty"` // the last policy rejection, when any
	// FanningOut: deliveries are still being created (the total grows).
	FanningOut bool `json:"fanning_out"`
}
