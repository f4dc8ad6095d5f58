package inbound

import (
	"context"
	"time"

	"bulletin/internal/bulletin"
)

// Message is one stored inbound message.
type Message struct {
	ID         int64
	Source     string
	ReceivedAt time.Time
	DedupeKey  string
	MailFrom   string
	RcptTo     string
	MessageID  string
	From       string
	Subject    string
	Size       int
	Raw        []byte
	Kind       string
	Effect     string
	Error      string
	Verified   bool
	Processed  bool
	ItemID     *int64
	IssueID    *int64
}

// Action is what processing decided to do with a stored message; the Store
// applies it in one transaction with the record of what was done.
type Action struct {
	Kind   string
	Reason string

	// Bounces: the delivery (from a VERP address) or the address it was to.
	DeliveryID  int64
	IssueID     int64 // the delivery's issue when its address names it, else 0
	Recipient   string
	Failed      bool // Action: failed (delayed otherwise)
	Permanent   bool // a 5.x.x failure: counts towards "bounced"
	Status      string
	Diagnostic  string
	BounceAfter int // hard failures in a row that make a subscriber bounced

	// Complaints and unsubscribes: who, by what survives.
	Token string // subscriber token
	Email string // subscriber address, when nothing better survives

	// Contributions.
	Contributor  string         // the From address
	Item         *bulletin.Item // nil when the message could not be parsed
	Refusal      string         // why the message could not become an item
	Verified     bool
	VerifyMethod string
}

// Outcome is what applying an Action did.
type Outcome struct {
	Effect    string
	Done      bool   // the message had been processed before: nothing was done now
	UserKnown bool   // contribution: the sender is a registered user
	ItemID    int64  // contribution: the item created
	Refused   string // contribution: why no item was created (validation)
}

// Store is the database side of inbound mail.
type Store interface {
	// AppSecret returns the named secret, generating and keeping it on
	// first use; every process then reads the same one.
	AppSecret(ctx context.Context, name string) ([]byte, error)
	// SaveInbound stores m unless a message with its DedupeKey is stored
	// already; either way m.ID is the stored row's id, and stored says
	// whether this call stored it.
	SaveInbound(ctx context.Context, m *Message) (stored bool, err error)
	FindInbound(ctx context.Context, id int64) (*Message, error)
	// ApplyInbound applies a to message id and marks it processed, in one
	// transaction; a processed message is left as it is (Outcome.Done).
	ApplyInbound(ctx context.Context, id int64, a Action) (Outcome, error)
	// FailInbound records an error met while processing id; it stays
	// unprocessed, for the next sweep.
	FailInbound(ctx context.Context, id int64, msg string) error
	// UnprocessedInbound lists messages stored but not yet processed.
	UnprocessedInbound(ctx context.Context, limit int) ([]int64, error)
	// AllowReply counts an automatic reply to address and reports whether
	// it stays within max per window.
	AllowReply(ctx context.Context, address, kind string, max int, per time.Duration) (bool, error)
}

// Contribution is a contribution email read into an item's fields.
type Contribution struct {
	Title, Body, URL string
	Attachments      int
}

// ContributionParser reads a contribution email (internal/inbound/contrib
// is the real one: Re:/Fwd: stripped, quotes and signatures removed,
// HTML converted to Markdown).
type ContributionParser interface {
	ParseContribution(raw []byte) (Contribution, error)
}

// Verification says whether a message's sender is who it claims.
type Verification struct {
	Verified bool
	Method   string // "dkim", "dmarc-ar" or ""
	Domain   string
}

// SenderVerifier checks a message's sender (internal/inbound/verify is
// the real one: aligned DKIM, or dmarc=pass from the trusted authserv-id).
type SenderVerifier interface {
	VerifySender(ctx context.Context, raw []byte) Verification
}

// Reply is an automatic answer to a contribution.
type Reply struct {
	To        string
	Subject   string
	Text      string
	InReplyTo string // the Message-ID answered
}

// Replier sends automatic replies. Implementations must send them with
// "Auto-Submitted: auto-replied".
type Replier interface {
	SendReply(ctx context.Context, r Reply) error
}
