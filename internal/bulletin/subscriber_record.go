package bulletin

import (
	"context"
	"time"
)

// SubscriberRecords is what the admin's subscriber pages read: a search by
// part of an address or name, and one subscriber's whole record.
type SubscriberRecords interface {
	SearchSubscribers(ctx context.Context, q string, limit int) ([]SubscriberDetail, error)
	SubscriberRecord(ctx context.Context, id int64) (*SubscriberRecord, error)
}

// SubscriberRecord is everything Bulletin holds about one subscriber.
type SubscriberRecord struct {
	Subscriber
	HardBounces int
	Consents    []ConsentRecord
	Deliveries  []SubscriberDelivery
	Inbound     []SubscriberInbound // bounces, complaints and unsubscribes by mail
}

// ConsentRecord is one list membership with how consent was given.
type ConsentRecord struct {
	List           string     `db:"list"`
	Status         string     `db:"status"`
	ConsentAt      *time.Time `db:"consent_at"`
	ConsentMethod  string     `db:"consent_method"`
	ConsentIP      string     `db:"consent_ip"`
	ConfirmedAt    *time.Time `db:"confirmed_at"`
	ConfirmIP      string     `db:"confirm_ip"`
	UnsubscribedAt *time.Time `db:"unsubscribed_at"`
}

// SubscriberDelivery is one issue sent (or being sent) to the subscriber.
type SubscriberDelivery struct {
	Newsletter string     `db:"newsletter"`
	Number     int        `db:"number"`
	Status     string     `db:"status"`
	Attempts   int        `db:"attempts"`
	LastReply  string     `db:"last_reply"`
	SentAt     *time.Time `db:"sent_at"`
}

// SubscriberInbound is one bounce, complaint or other message about them.
type SubscriberInbound struct {
	ID         int64     `db:"id"`
	ReceivedAt time.Time `db:"received_at"`
	Kind       string    `db:"kind"`
	Status     string    `db:"status"`
	Diagnostic string    `db:"diagnostic"`
	Permanent  bool      `db:"permanent"`
	Effect     string    `db:"effect"`
}
