package bulletin

import (
	"regexp"
	"strings"
	"time"
)

// Per-list subscription statuses. A subscriber receives a newsletter when
// the subscriber is active and holds an active subscription to one of its
// lists.
const (
	SubscriptionPending      = "pending"
	SubscriptionActive       = "active"
	SubscriptionUnsubscribed = "unsubscribed"
)

// How consent was given (subscriptions.consent_method).
const (
	ConsentForm        = "form"
	ConsentAPI         = "api"
	ConsentAdmin       = "admin"
	ConsentImport      = "import"
	ConsentPreferences = "preferences"
)

// ConfirmTTL is how long a confirmation link works.
const ConfirmTTL = 48 * time.Hour

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// CheckSlug validates a URL slug such as a list's.
func CheckSlug(s string) error {
	if !slugRE.MatchString(s) {
		return Errorf(EINVALID, "slug %q must be 1–63 lower-case letters, digits or dashes", clip(s, 70))
	}
	return nil
}

// Validate checks a list about to be created.
func (l *List) Validate() error {
	if err := CheckSlug(l.Slug); err != nil {
		return err
	}
	if l.Name == "" {
		return Errorf(EINVALID, "name is required")
	}
	if err := CheckName("name", l.Name); err != nil {
		return err
	}
	if len(l.Description) > 2000 {
		return Errorf(EINVALID, "description is longer than 2000 bytes")
	}
	return nil
}

// ListUpdate holds the fields PATCH may change; nil means unchanged.
type ListUpdate struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Public      *bool   `json:"public"`
	DoubleOptin *bool   `json:"double_optin"`
}

// Apply validates the update against l and applies it.
func (u ListUpdate) Apply(l *List) error {
	if u.Name != nil {
		l.Name = *u.Name
	}
	if u.Description != nil {
		l.Description = *u.Description
	}
	if u.Public != nil {
		l.Public = *u.Public
	}
	if u.DoubleOptin != nil {
		l.DoubleOptin = *u.DoubleOptin
	}
	return l.Validate()
}

// ListCounts are a list's members by subscription status.
type ListCounts struct {
	Active       int `json:"active"`
	Pending      int `json:"pending"`
	Unsubscribed int `json:"unsubscribed"`
}

// SubscribeRequest asks to put an address on a list.
type SubscribeRequest struct {
	List      string // slug
	Email     string // as typed; normalised by the store
	Name      string
	Method    string // ConsentForm, ConsentAPI, ConsentAdmin
	IP        string // consent IP; "" when unknown
	Confirmed bool   // skip double opt-in (admins only)
	Public    bool   // the request came through the public form: the list must be public
}

// SubscribeResult says what Subscribe did. ConfirmToken is set when a
// confirmation email must be sent; callers showing a public page must not
// reveal anything else of it (no enumeration).
type SubscribeResult struct {
	Subscriber   *Subscriber
	List         *List
	Status       string // the subscription's status afterwards
	Created      bool   // a new subscriber row
	ConfirmToken string
	Sender       Sender // who confirmation emails come from
}

// Sender is the From of a list's mail: its newsletter's sender.
type Sender struct {
	Name, Email string
}

// Membership is one list as the preference page shows it.
type Membership struct {
	List   List   `json:"list"`
	Status string `json:"status"` // "" when not on the list
}

// Preferences is what the preference page shows and saves.
type Preferences struct {
	Subscriber Subscriber
	Lists      []Membership
}

// PreferencesUpdate is a saved preference form: the subscriber's name and
// the slugs of the lists to be on; lists shown but not named are left.
type PreferencesUpdate struct {
	Name  string
	Lists []string
	IP    string
}

// SubscriberDetail is a subscriber with its memberships, for the API.
type SubscriberDetail struct {
	Subscriber
	Lists []Membership `json:"lists"`
}

// ImportLineError is one rejected CSV record: the line it starts on and,
// for a record running over several lines (a quoted field with a line
// break), its last line.
type ImportLineError struct {
	Line    int    `json:"line"`
	EndLine int    `json:"end_line,omitempty"`
	Error   string `json:"error"`
}

// MaxImportErrors caps the line errors an import reports.
const MaxImportErrors = 1000

// ImportResult summarises a CSV import. Imported counts distinct addresses
// merged; Skipped counts rejected records and repeated addresses, so
// Imported + Skipped is the number of data records (blank lines aside).
type ImportResult struct {
	Imported   int               `json:"imported"`
	Created    int               `json:"created"`
	Skipped    int               `json:"skipped"`
	Errors     []ImportLineError `json:"errors"`
	MoreErrors int               `json:"more_errors"` // rejected lines beyond Errors
}

// ImportOptions tune an import.
type ImportOptions struct {
	// Progress, when set, is called with the data rows read so far (good
	// and bad) every 10,000 rows, and once at the end with the total
	// unless that was the last call: no count is reported twice. It may be
	// called from another goroutine than the import's caller (never from
	// two at once).
	Progress func(rows int)
}

// CSVCell neutralises a cell of an exported CSV file against formula
// injection (OWASP "CSV Injection"): a cell starting with = + - @, tab or
// CR is prefixed with a single quote, so that a spreadsheet shows it as
// text instead of running it. An address such as -x@example.org gets the
// quote too; an import takes it off again (UnCSVCell). A cell whose
// leading quotes already stand before one of those characters gets one
// more, so that the round trip is exact.
func CSVCell(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// UnCSVCell undoes CSVCell on an imported cell: one leading quote is taken
// off only where CSVCell would have added it.
func UnCSVCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && formulaLike(s[1:]) {
		return s[1:]
	}
	return s
}

// formulaLike says whether s, after any leading single quotes, starts with
// a character that makes a spreadsheet read a formula.
func formulaLike(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}
