package bulletin

import "time"

// Delivery statuses. A pending row being sent holds a lease (a time until
// which no other sender takes it).
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// Delivery is one issue to one subscriber.
type Delivery struct {
	ID           int64      `json:"id" db:"id"`
	IssueID      int64      `json:"-" db:"issue_id"`
	SubscriberID *int64     `json:"-" db:"subscriber_id"`
	Status       string     `json:"status" db:"status"`
	Attempts     int        `json:"attempts" db:"attempts"`
	LastCode     int        `json:"last_code" db:"last_code"`
	LastReply    string     `json:"last_reply" db:"last_reply"`
	SentAt       *time.Time `json:"sent_at,omitempty" db:"sent_at"`
	UpdatedAt    time.Time  `json:"updated_at" db:"updated_at"`
}

// Counts summarises an issue's deliveries.
type Counts struct {
	Total   int `json:"total"`
	Pending int `json:"pending"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
}
