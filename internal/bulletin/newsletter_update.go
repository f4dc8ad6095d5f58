package bulletin

import "time"

// NewsletterUpdate changes some fields of a newsletter; nil fields are left
// alone. The slug never changes: archive URLs are built from it.
type NewsletterUpdate struct {
	Name            *string
	Description     *string
	FromName        *string
	FromEmail       *string
	ReplyTo         *string
	Schedule        *string
	SubjectTemplate *string
	Intro           *string
	AutoSend        *bool
	SendDelay       *time.Duration
	Lists           *[]string // list slugs; replaces the set
	IsDefault       *bool     // only true is accepted: it moves the default here
}

// SectionUpdate changes a section; nil fields are left alone.
type SectionUpdate struct {
	Name     *string `json:"name"`
	Position *int    `json:"position"` // 1-based; moves the others
}

// DefaultNewsletterSlug is the newsletter created on first start.
const DefaultNewsletterSlug = "weekly"
