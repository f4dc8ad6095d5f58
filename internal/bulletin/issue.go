package bulletin

import "time"

// Issue statuses: draft → scheduled → sending → sent, or cancelled.
const (
	IssueDraft     = "draft"
	IssueScheduled = "scheduled"
	IssueSending   = "sending"
	IssueSent      = "sent"
	IssueCancelled = "cancelled"
)

// Issue is number N of a newsletter. HTML, Text and Subject are the snapshot
// rendered once at compile time; they never change once sending starts.
// The snapshot carries the personal placeholders of personal.go.
type Issue struct {
	ID           int64      `json:"-" db:"id"`
	NewsletterID int64      `json:"-" db:"newsletter_id"`
	Number       int        `json:"number" db:"number"`
	Slot         *time.Time `json:"slot,omitempty" db:"slot"`
	Status       string     `json:"status" db:"status"`
	Subject      string     `json:"subject" db:"subject"`
	Preheader    string     `json:"preheader" db:"preheader"`
	HTML         string     `json:"-" db:"html"`
	Text         string     `json:"-" db:"text_body"`
	ScheduledAt  *time.Time `json:"scheduled_at" db:"scheduled_at"`
	StartedAt    *time.Time `json:"started_at,omitempty" db:"started_at"`
	SentAt       *time.Time `json:"sent_at" db:"sent_at"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at" db:"updated_at"`
}
