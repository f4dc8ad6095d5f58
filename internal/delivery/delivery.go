// Package delivery sends issues: fan-out of one delivery per active
// subscriber in chunks, a pool of SMTP workers fed by batches claimed with
// FOR UPDATE SKIP LOCKED under a lease (an expired lease is claimable
// again), retries with back-off, grouped records of every 250, and the move
// of finished issues to "sent".
//
// The package declares what it needs (Store, Transport) and never imports
// the database or SMTP packages; cmd/bulletin wires them in.
package delivery

import (
	"context"
	"time"

	"bulletin/internal/bulletin"
)

// Job is one claimed delivery: the row and its recipient.
type Job struct {
	ID           int64
	IssueID      int64
	SubscriberID int64
	Attempts     int // including this one
	Email        string
	Name         string
	Token        string
	Active       bool // the subscriber is still active (they may have left since fan-out)
	Rescued      bool // the row's previous lease expired: its sender died or stalled
}

// Issue is what every message of one issue shares.
type Issue struct {
	ID             int64
	Number         int
	Status         string
	NewsletterID   int64
	NewsletterSlug string
	NewsletterName string
	FromName       string
	FromEmail      string
	ReplyTo        string
	Subject        string
	HTML           string // with personal placeholders
	Text           string
}

// Sent is a delivery accepted by the server, with the server's reply.
type Sent struct {
	ID           int64
	IssueID      int64 // names the delivery's partition; 0 looks in every one
	SubscriberID int64
	Reply        string
}

// Failure is a delivery the server refused or could not take.
type Failure struct {
	ID           int64
	IssueID      int64 // names the delivery's partition; 0 looks in every one
	SubscriberID int64
	Code         int    // SMTP reply code, 0 for a transport failure
	Reply        string // what the server said, or the transport error
	Final        bool   // failed for good; otherwise retried at Next
	Next         time.Time
	Hard         bool // a permanent refusal of the address: counts towards "bounced"
}

// Progress is an issue's counts, send rate and estimate.
type Progress = bulletin.Progress

// Store is the database side of delivery.
type Store interface {
	// FindSendIssue finds an issue by newsletter slug and number.
	FindSendIssue(ctx context.Context, newsletter string, number int) (*Issue, error)
	// FindIssueForSend loads an issue by id with its newsletter's sender.
	FindIssueForSend(ctx context.Context, issueID int64) (*Issue, error)
	// StartIssue moves the issue from one of the from statuses to sending and
	// creates the first chunk of its deliveries, in one transaction. It
	// returns how many deliveries that created; ECONFLICT/EUNPROCESSABLE
	// when the status does not allow it.
	StartIssue(ctx context.Context, issueID int64, from []string) (int64, error)
	// FanOut creates the rest of a sending issue's deliveries, a chunk per
	// transaction, and returns how many it created.
	FanOut(ctx context.Context, issueID int64) (int64, error)
	// StalledFanOuts lists sending issues whose fan-out is unfinished and
	// has not moved for idle.
	StalledFanOuts(ctx context.Context, idle time.Duration) ([]int64, error)
	// DueIssues lists scheduled issues whose time has come.
	DueIssues(ctx context.Context, limit int) ([]int64, error)
	// ResumeIssue clears the alarm pause of a sending issue.
	ResumeIssue(ctx context.Context, issueID int64) error

	ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]Job, error)
	// RenewDeliveries extends to lease from now the claims of ids (rows
	// of issues) whose lease has not run out, and returns the ids it
	// renewed.
	RenewDeliveries(ctx context.Context, issues, ids []int64, lease time.Duration) ([]int64, error)
	MarkSent(ctx context.Context, sent []Sent) error
	MarkFailure(ctx context.Context, f Failure, bounceAfter int) error
	// RecordPolicyRejection counts a 5.7.x refusal for the issue and pauses
	// it once the count reaches pauseAfter; it reports whether it paused.
	RecordPolicyRejection(ctx context.Context, issueID int64, reply string, pauseAfter int) (bool, error)
	// ReleaseDeliveries returns claimed, unsent rows to pending without
	// counting the attempt (shutdown, no connection).
	ReleaseDeliveries(ctx context.Context, ids []int64) error
	// FinishIssues marks sending issues with nothing pending or in flight
	// as sent and returns their ids.
	FinishIssues(ctx context.Context) ([]int64, error)
	IssueProgress(ctx context.Context, issueID int64) (*Progress, error)
	// PendingDeliveries counts pending and in-flight rows over all issues.
	PendingDeliveries(ctx context.Context) (int64, error)
}

// Notifier is optionally implemented by a Store: it calls wake whenever
// any process starts an issue, until ctx is done.
type Notifier interface {
	ListenDeliveries(ctx context.Context, wake func()) error
}

// Transport opens SMTP connections and encodes messages.
type Transport interface {
	Dial(ctx context.Context) (Conn, error)
	// Prepare checks the fields every message of an issue shares and does
	// once the work they share (header and body encoding); each Send then
	// only adds one recipient.
	Prepare(l *Letter) (Prepared, error)
}

// Prepared is a Letter after the transport's once-per-issue work.
type Prepared interface {
	// Check validates a recipient's header-bound fields without sending.
	Check(r *Recipient) error
}

// Conn is one SMTP connection, owned by one worker.
type Conn interface {
	// Send sends the prepared letter to one recipient and returns the
	// server's reply.
	Send(p Prepared, r *Recipient) (reply string, err error)
	Close() error
}

// earlyFailure is implemented by Conn errors that know whether the send
// failed at its first command, before anything of the message reached the
// server.
type earlyFailure interface {
	FailedBeforeMessage() bool
}

// ReplyError is what Conn errors carry: the SMTP reply code (0 when the
// connection failed) and the enhanced status code ("5.7.1"), if any.
type ReplyError interface {
	error
	ReplyCode() int
	EnhancedCode() string
}

// Letter is what every message of one issue shares.
type Letter struct {
	FromName, FromEmail string
	ReplyTo             string
	Subject             string
	HTML, Text          string // with the personal placeholders
	ListID              string // "Weekly update <weekly.example.org>"
	ArchiveURL          string
}

// Recipient is what one message adds to its Letter.
type Recipient struct {
	To, ToName        string
	Envelope          string // MAIL FROM of this message (VERP); "" = the transport's
	UnsubscribeURL    string // https one-click (RFC 8058)
	UnsubscribeMailto string // mailto: URI; "" = none advertised
	Personal          bulletin.Personal
	Date              time.Time
	// BeforeEnd, when set, is called before the end of the message's data:
	// the last moment the message is surely not delivered. The pool waits
	// there for the commit of this connection's earlier 250s.
	BeforeEnd func()
}
