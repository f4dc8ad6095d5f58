package bulletin

import "time"

// DeliveryFailure is a failed delivery as the admin UI lists it: who, and
// what the SMTP server answered.
type DeliveryFailure struct {
	Email     string    `json:"email" db:"email"`
	Attempts  int       `json:"attempts" db:"attempts"`
	LastCode  int       `json:"last_code" db:"last_code"`
	LastReply string    `json:"last_reply" db:"last_reply"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}
