package bulletin

import "time"

// Item kinds.
const (
	KindArticle = "article" // title + body, rendered in full
	KindLink    = "link"    // one line in a link round-up
)

// Item statuses.
const (
	ItemSubmitted = "submitted"
	ItemApproved  = "approved"
	ItemRejected  = "rejected"
)

// Limits on contributed content.
const (
	MaxTitleLen   = 200      // characters
	MaxSourceLen  = 300      // characters
	MaxURLLen     = 2048     // bytes
	MaxBodyBytes  = 64 << 10 // Markdown source
	MaxRequestLen = 1 << 20  // any JSON request body
)

// Item is what a contributor submits. BodyHTML is derived from Body
// (Markdown) and sanitised; it is the only HTML ever rendered.
type Item struct {
	ID            int64      `json:"id" db:"id"`
	NewsletterID  int64      `json:"-" db:"newsletter_id"`
	SectionID     *int64     `json:"-" db:"section_id"`
	IssueID       *int64     `json:"-" db:"issue_id"`
	ContributorID *int64     `json:"-" db:"contributor_id"`
	Newsletter    string     `json:"newsletter" db:"-"`            // slug; input of CreateItem, filled by the Find methods
	Section       string     `json:"section" db:"-"`               // slug, "" for the default section
	Contributor   string     `json:"contributor,omitempty" db:"-"` // email, filled by the Find methods
	Issue         int        `json:"issue,omitempty" db:"-"`       // number of the issue it is in, filled by the Find methods
	Kind          string     `json:"kind" db:"kind"`
	Title         string     `json:"title" db:"title"`
	Body          string     `json:"body" db:"body"`
	BodyHTML      string     `json:"body_html" db:"body_html"`
	URL           string     `json:"url" db:"url"`
	Source        string     `json:"source" db:"source"`
	Closing       bool       `json:"closing" db:"closing"`
	Status        string     `json:"status" db:"status"`
	Position      int        `json:"position" db:"position"`
	IssuePosition *int       `json:"-" db:"issue_position"`
	ReviewNote    string     `json:"review_note" db:"review_note"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty" db:"approved_at"`
	CreatedAt     time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at" db:"updated_at"`
}
