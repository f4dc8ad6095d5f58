package bulletin

import (
	"context"
	"io"
	"time"
)

// The services below are what the JSON API, the admin pages and the command
// line call, one per resource. The store (internal/postgres) implements
// them and holds their rules: who may see or change what, and what changes
// together in one transaction. A by argument (or By field) is the user
// acting; nil is the operator at the command line, who may do whatever the
// data allows.

// ItemService: submissions, review, corrections and order.
type ItemService interface {
	// FindItem returns an item by would see: editors any, contributors
	// their own; ENOTFOUND otherwise, so ids reveal nothing.
	FindItem(ctx context.Context, id int64, by *User) (*Item, error)
	// FindItems narrows f to what f.By may see; an unknown status or
	// newsletter is EINVALID.
	FindItems(ctx context.Context, f ItemFilter) ([]*Item, error)
	// SubmitItem stores a new item from by, its contributor; only editors
	// may submit one already approved.
	SubmitItem(ctx context.Context, it *Item, by *User) error
	// UpdateItem changes an item as upd.By may (User.CheckItemChange); an
	// item already in an unsent issue is corrected in place and the issue
	// rendered again in the same transaction.
	UpdateItem(ctx context.Context, id int64, upd ItemUpdate) (*Item, error)
	DeleteItem(ctx context.Context, id int64, by *User) error
	ReviewItem(ctx context.Context, id int64, status, note string, by *User) (*Item, error)
}

// IssueService: compiled issues, their items, counts and failures.
type IssueService interface {
	FindIssues(ctx context.Context, newsletter string) ([]Issue, error)
	FindIssueByNumber(ctx context.Context, newsletter string, number int) (*Issue, error)
	FindIssueItems(ctx context.Context, issueID int64) ([]Item, error)
	IssueCounts(ctx context.Context, issueID int64) (Counts, error)
	FindDeliveryFailures(ctx context.Context, issueID int64, limit int) ([]DeliveryFailure, error)
	// CancelIssue puts an unsent issue's items back in the queue.
	CancelIssue(ctx context.Context, newsletter string, number int) (*Issue, error)
	// ScheduleIssue sets or moves the send time of a draft or scheduled
	// issue: in the future, at most a year ahead (EINVALID); a sending,
	// sent or cancelled issue is EUNPROCESSABLE.
	ScheduleIssue(ctx context.Context, newsletter string, number int, at time.Time) (*Issue, error)
	// UnscheduleIssue takes a scheduled issue back to draft.
	UnscheduleIssue(ctx context.Context, newsletter string, number int) (*Issue, error)
	// SendAudience is who a send of the newsletter's issue would reach now.
	SendAudience(ctx context.Context, newsletter string) (*Audience, error)
	// RenderIssueAgain refreshes an unsent issue's snapshot from its items.
	RenderIssueAgain(ctx context.Context, newsletter string, number int) (*Issue, error)
}

// IssueCompiler compiles a newsletter's next issue now (compile.Compiler).
type IssueCompiler interface {
	Compile(ctx context.Context, newsletter string, slot *time.Time, allowEmpty bool) (*Issue, error)
}

// IssueRenderer renders an existing issue again from its current items; the
// store calls it inside the transaction that changed them.
type IssueRenderer = func(nl *Newsletter, is *Issue, sections []Section, items []Item) (*Issue, error)

// NewsletterService: newsletters and their sections.
type NewsletterService interface {
	FindNewsletters(ctx context.Context) ([]*Newsletter, error)
	FindNewsletterBySlug(ctx context.Context, slug string) (*Newsletter, error)
	CreateNewsletter(ctx context.Context, n *Newsletter) error
	// UpdateNewsletter refuses to change the slug: archive links use it.
	UpdateNewsletter(ctx context.Context, slug string, upd NewsletterUpdate) (*Newsletter, error)
	FindSections(ctx context.Context, newsletter string) ([]*Section, error)
	CreateSection(ctx context.Context, newsletter string, s *Section) error
	UpdateSection(ctx context.Context, newsletter, slug string, upd SectionUpdate) (*Section, error)
}

// ListService: mailing lists.
type ListService interface {
	FindLists(ctx context.Context) ([]List, error)
	FindListBySlug(ctx context.Context, slug string) (*List, error)
	CreateList(ctx context.Context, l *List) error
	UpdateList(ctx context.Context, slug string, upd ListUpdate) (*List, error)
	DeleteList(ctx context.Context, slug string) error
	CountList(ctx context.Context, slug string) (ListCounts, error)
}

// SubscriberService: sign-ups, consent, preferences, import, export, erasure.
type SubscriberService interface {
	// AddSubscriber puts an address on a list for by; only admins may add
	// it already confirmed.
	AddSubscriber(ctx context.Context, req SubscribeRequest, by *User) (*SubscribeResult, error)
	Subscribe(ctx context.Context, req SubscribeRequest) (*SubscribeResult, error)
	FindConfirmation(ctx context.Context, token string) (*SubscribeResult, error)
	ConfirmSubscription(ctx context.Context, token, ip string) (*SubscribeResult, error)
	Unsubscribe(ctx context.Context, token string) (*Subscriber, error)
	FindSubscriberByToken(ctx context.Context, token string) (*Subscriber, error)
	FindPreferences(ctx context.Context, token string) (*Preferences, error)
	SavePreferences(ctx context.Context, token string, upd PreferencesUpdate) (*Preferences, error)
	FindSubscribers(ctx context.Context, email string, after int64, limit int) ([]SubscriberDetail, error)
	EraseSubscriber(ctx context.Context, id int64) error
	ImportSubscribers(ctx context.Context, slug string, r io.Reader, opt ImportOptions) (*ImportResult, error)
	ExportSubscribers(ctx context.Context, slug string, fn func(email, name, status string) error) error
}

// AccountService: users and their API tokens.
type AccountService interface {
	FindUsers(ctx context.Context) ([]*User, error)
	FindUserByID(ctx context.Context, id int64) (*User, error)
	CreateUser(ctx context.Context, u *User, password string) error
	// UpdateUser refuses an admin taking away their own admin role
	// (upd.By), and the last admin's demotion.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// DeleteUser refuses an admin deleting themselves, and the last admin.
	DeleteUser(ctx context.Context, id int64, by *User) error
	FindTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// IssueToken makes a token for by, or for another user (req.UserID or
	// req.Email) when by is an admin; it returns the token once.
	IssueToken(ctx context.Context, req TokenRequest, by *User) (string, *APIToken, error)
	// RevokeToken revokes one of by's tokens, or any for an admin; a
	// userID other than 0 must own it.
	RevokeToken(ctx context.Context, userID, id int64, by *User) error
}

// TokenRequest names a new token and its owner: UserID, else Email, else
// the user asking.
type TokenRequest struct {
	Name   string
	UserID int64
	Email  string
}

// SendingService starts and follows the sending of issues (delivery.Service).
type SendingService interface {
	// Send starts (or resumes) sending an issue; it returns the number of
	// deliveries created before it returned (the rest may still be being
	// created: Progress.FanningOut).
	Send(ctx context.Context, newsletter string, number int) (int64, error)
	// SendTest sends one copy to email and returns the server's reply.
	SendTest(ctx context.Context, newsletter string, number int, email string) (string, error)
	IssueProgress(ctx context.Context, issueID int64) (*Progress, error)
}

// Counting is what a newsletter counts of its issues, per issue and never
// per person (issue 15): clicks on its links, opens of its pixel.
type Counting struct {
	Clicks bool `json:"count_clicks"`
	Opens  bool `json:"count_opens"`
}

// CountingService reads and sets a newsletter's Counting switches.
type CountingService interface {
	FindCounting(ctx context.Context, newsletter string) (Counting, error)
	SetCounting(ctx context.Context, newsletter string, c Counting) error
}
