package bulletin

import "time"

// Subscriber statuses. Only active subscribers receive issues.
const (
	SubscriberPending      = "pending"
	SubscriberActive       = "active"
	SubscriberUnsubscribed = "unsubscribed"
	SubscriberBounced      = "bounced"
	SubscriberBlocklisted  = "blocklisted"
)

// List is a set of subscribers a newsletter goes to.
type List struct {
	ID          int64     `json:"-" db:"id"`
	Slug        string    `json:"slug" db:"slug"`
	Name        string    `json:"name" db:"name"`
	Description string    `json:"description" db:"description"`
	Public      bool      `json:"public" db:"public"`
	DoubleOptin bool      `json:"double_optin" db:"double_optin"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
}

// Subscriber is one address. Token is the ≥128-bit random secret in its
// unsubscribe and preference links.
type Subscriber struct {
	ID        int64     `json:"id" db:"id"`
	Email     string    `json:"email" db:"email"`
	Name      string    `json:"name" db:"name"`
	Status    string    `json:"status" db:"status"`
	Token     string    `json:"-" db:"token"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}
