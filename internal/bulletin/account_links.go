package bulletin

import (
	"context"
	"time"
)

// One-time account links: how long each kind is valid.
const (
	InviteTTL = 72 * time.Hour
	ResetTTL  = time.Hour
)

// Purposes of an account link.
const (
	LinkInvite = "invite"
	LinkReset  = "reset"
)

// Kinds of outbox mail about accounts and notifications (internal/outbox
// renders each from templates' email/<kind>.txt.tmpl).
const (
	MailInvite       = "invite"        // NoticeMail: set a password for a new account
	MailAccountKnown = "account_known" // NoticeMail: an invitation to an address that has an account
	MailReset        = "password_reset"
	MailDigest       = "submissions_digest"
	MailReviewed     = "item_reviewed"
	MailPublished    = "item_published"
	MailSendReport   = "send_report"
)

// NoticeMail is the payload of every account and notification email: its
// recipient and the values its template shows. Paths are relative to the
// public URL.
type NoticeMail struct {
	To     string         `json:"to"`
	Name   string         `json:"name"`
	Values map[string]any `json:"values"`
}

// NotifyPrefs are the notifications a user wants.
type NotifyPrefs struct {
	Digest     bool `json:"digest"`      // editors: new submissions
	Review     bool `json:"review"`      // contributors: approved or rejected
	Published  bool `json:"published"`   // contributors: published in an issue
	SendReport bool `json:"send_report"` // admins: a send finished
}

// AccountLinkService: invitations, password resets and a user's own
// settings.
type AccountLinkService interface {
	// Invite creates a user without a password (or finds the one with
	// that address) and queues the email: a link valid InviteTTL for a
	// new user, a note that the account exists otherwise. The answer is
	// the same either way.
	Invite(ctx context.Context, email, name, role string, by *User) error
	// RequestReset records a "forgot password" request; it never says
	// whether the address has an account.
	RequestReset(ctx context.Context, email string) error
	// CheckLink reports whether token is a usable link of purpose, and
	// for whom: ENOTFOUND for an unknown, used or expired one alike.
	CheckLink(ctx context.Context, purpose, token string) (*User, error)
	// UseLink sets the password through a link, once, and ends every
	// session of the user.
	UseLink(ctx context.Context, purpose, token, password string) (*User, error)
	FindNotifyPrefs(ctx context.Context, userID int64) (NotifyPrefs, error)
	SetNotifyPrefs(ctx context.Context, userID int64, p NotifyPrefs) error
}
