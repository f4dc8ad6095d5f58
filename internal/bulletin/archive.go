package bulletin

import "time"

// The public archive reads sent issues only. These are its read models: what
// the archive pages, the feed and search show, never a draft or its items.

// ArchiveNewsletter is a newsletter as the archive presents it.
type ArchiveNewsletter struct {
	ID          int64     `db:"id"`
	Slug        string    `db:"slug"`
	Name        string    `db:"name"`
	Description string    `db:"description"`
	FromName    string    `db:"from_name"`
	Schedule    string    `db:"schedule"`
	SubscribeTo string    `db:"subscribe_to"` // slug of a public list of the newsletter, "" when none
	CreatedAt   time.Time `db:"created_at"`
	Brand
}

// ArchiveIssue is one sent issue. HTML (the stored snapshot with its
// personal placeholders) and Prev/Next (0: none) are filled only when one
// issue is asked for; Highlights (item titles in issue order) only by the
// listings that show them.
type ArchiveIssue struct {
	ID         int64     `db:"id"`
	Number     int       `db:"number"`
	Subject    string    `db:"subject"`
	Preheader  string    `db:"preheader"`
	SentAt     time.Time `db:"sent_at"`
	Highlights []string  `db:"highlights"`
	HTML       string    `db:"html"`
	Prev       int       `db:"prev"`
	Next       int       `db:"next"`
	NextSentAt time.Time `db:"next_sent_at"` // when Next was sent; the issue page changed then
}

// ArchiveMonth is a month with sent issues, in the newsletter's time zone.
type ArchiveMonth struct {
	Year   int `db:"year"`
	Month  int `db:"month"`
	Issues int `db:"issues"`
}

// SearchHit is one archived item matching a search. Snippet is plain text
// in which the matched words are wrapped in SnippetStart and SnippetStop.
type SearchHit struct {
	ItemID  int64     `db:"item_id"`
	Title   string    `db:"title"`
	Snippet string    `db:"snippet"`
	Number  int       `db:"number"`
	Subject string    `db:"subject"`
	SentAt  time.Time `db:"sent_at"`
	Rank    float32   `db:"rank"`
	Ordinal int       `db:"ordinal"` // the item's place in its issue: its anchor is item-Ordinal
}

// Snippet markers: private-use code points, which the store strips from the
// searched text first, so a contribution cannot fake or unbalance a mark.
const (
	SnippetStart = "\uE000"
	SnippetStop  = "\uE001"
)

// SearchResult is one page of hits and the total number of hits.
type SearchResult struct {
	Hits  []SearchHit
	Total int
}

// MaxSearchLen caps a search query (bytes).
const MaxSearchLen = 300
