package bulletin

import (
	"context"
	"time"
)

// ReportService answers the editor's questions about issues and lists
// (issue 15) from aggregates: counts per issue, per link and day, per list
// and week. Nothing in a report names or counts a person.
type ReportService interface {
	// IssueReport is ENOTFOUND for an unknown newsletter or issue.
	IssueReport(ctx context.Context, newsletter string, number int) (*IssueReport, error)
	// ListGrowth gives the list's last weeks (1–520), oldest first, ending
	// with the week holding now; an unknown list is ENOTFOUND.
	ListGrowth(ctx context.Context, list string, weeks int, now time.Time) (*ListGrowth, error)
	// NewsletterGrowth gives ListGrowth for each list of the newsletter
	// ("" = every list).
	NewsletterGrowth(ctx context.Context, newsletter string, weeks int, now time.Time) ([]ListGrowth, error)
}

// UnsubscribeWindow is how long after an issue's send an unsubscribe by
// its link or mailto address is attributed to it.
const UnsubscribeWindow = 7 * 24 * time.Hour

// IssueReport is one issue's delivery, harm and clicks.
//
// Unsubscribes are attributed by time, since tokens are personal and not
// per issue: memberships of the newsletter's lists left by link or mailto
// (one-click POST, the unsubscribe page, or mail to List-Unsubscribe) in
// [SentFrom, SentUntil), where SentFrom is when sending started and
// SentUntil is a week later or the next issue's start, whichever is first,
// so no unsubscribe counts for two issues. Each person counts once however
// many of the lists they left.
type IssueReport struct {
	Newsletter   string       `json:"newsletter"`
	Number       int          `json:"number"`
	Subject      string       `json:"subject"`
	Status       string       `json:"status"`
	SentFrom     *time.Time   `json:"sent_from"`  // sending started; nil if never sent
	SentUntil    *time.Time   `json:"sent_until"` // end of the unsubscribe window
	Recipients   int64        `json:"recipients"` // deliveries made
	Delivered    int64        `json:"delivered"`  // accepted by the receiving server
	Failed       int64        `json:"failed"`     // refused or given up
	Bounced      int64        `json:"bounced"`    // permanent (5.x.x) bounces received later
	Complaints   int64        `json:"complaints"` // spam complaints received
	Unsubscribes int64        `json:"unsubscribes"`
	Clicks       int64        `json:"clicks"`
	Opens        int64        `json:"opens"` // only when the newsletter counts opens
	Links        []LinkClicks `json:"links"` // ranked, most clicked first
	Items        []ItemClicks `json:"items"` // ranked, most clicked first
	Days         []DayClicks  `json:"days"`  // the first seven days from the send, in order
}

// LinkClicks is one link of an issue.
type LinkClicks struct {
	Link   int    `json:"link"` // its number in /r/{issue}/{link}
	URL    string `json:"url"`
	Item   *int   `json:"item"` // the item's number in the issue, nil for other links
	Clicks int64  `json:"clicks"`
}

// ItemClicks is one item (highlight) of an issue with its links' clicks.
type ItemClicks struct {
	Number int    `json:"number"` // 1… in the issue's order
	Title  string `json:"title"`
	Clicks int64  `json:"clicks"`
}

// DayClicks is the clicks of one UTC day.
type DayClicks struct {
	Day    string `json:"day"` // 2006-01-02
	Clicks int64  `json:"clicks"`
}

// Highlights are the items in the issue's order, each with its clicks.
func (r *IssueReport) Highlights() []ItemClicks {
	out := make([]ItemClicks, len(r.Items))
	for _, it := range r.Items {
		if it.Number >= 1 && it.Number <= len(out) {
			out[it.Number-1] = it
		}
	}
	return out
}

// ListGrowth is a list's weeks.
type ListGrowth struct {
	List  string       `json:"list"`
	Name  string       `json:"name"`
	Weeks []GrowthWeek `json:"weeks"`
}

// GrowthWeek is one week (from Monday 00:00 UTC) of a list.
type GrowthWeek struct {
	Week         string           `json:"week"`         // its Monday, 2006-01-02
	Confirmed    int64            `json:"confirmed"`    // memberships that became active
	Unsubscribed map[string]int64 `json:"unsubscribed"` // by how (left.go), "other" for none recorded
	Unsubscribes int64            `json:"unsubscribes"` // their sum
	Bounced      int64            `json:"bounced"`      // active members whose address was marked bounced
	Active       int64            `json:"active"`       // active memberships at the week's end
}

// LeftHows is the order reports show unsubscribes in.
func LeftHows() []string {
	return []string{LeftByLink, LeftByMailto, LeftByPreferences, LeftByComplaint, LeftByAdmin, LeftByImport, "other"}
}
