package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// archiveFixture inserts issues and their items directly with SQL, so the
// archive is tested independently of how issues get compiled and sent.
type archiveFixture struct {
	t  *testing.T
	db *postgres.DB
}

func (f archiveFixture) newsletter(slug string, isDefault bool) int64 {
	f.t.Helper()
	var id int64
	err := f.db.Pool.QueryRow(context.Background(), `INSERT INTO newsletters (slug, name, is_default)
		VALUES ($1, $2, $3) RETURNING id`, slug, "Weekly "+slug, isDefault).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// issue inserts issue number with status, sent at sentAt, holding items
// titled titles (bodies "body of <title>") in that order.
func (f archiveFixture) issue(nl int64, number int, status string, sentAt time.Time, titles ...string) int64 {
	f.t.Helper()
	ctx := context.Background()
	var id int64
	var sent *time.Time
	if status == bulletin.IssueSent {
		sent = &sentAt
	}
	err := f.db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status, subject, html, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, nl, number, status,
		"Update "+string(rune('0'+number%10)), "<p>issue html</p>", sent).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	for pos, title := range titles {
		_, err := f.db.Pool.Exec(ctx, `INSERT INTO items (newsletter_id, issue_id, issue_position, title, body, source, status)
			VALUES ($1, $2, $3, $4, $5, 'By Jane Smith', 'approved')`, nl, id, pos+1, title, "body of "+title)
		if err != nil {
			f.t.Fatal(err)
		}
	}
	return id
}

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestArchiveOnlySentIssues(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	f := archiveFixture{t, db}
	nl := f.newsletter("weekly", true)
	other := f.newsletter("other", false)
	f.issue(nl, 1, bulletin.IssueSent, day("2026-10-28T09:00:00Z"), "Budget vote", "Library hours")
	f.issue(nl, 2, bulletin.IssueSent, day("2026-11-04T09:00:00Z"), "Park reopens")
	f.issue(nl, 3, bulletin.IssueCancelled, time.Time{}, "Cancelled secret")
	f.issue(nl, 4, bulletin.IssueSent, day("2026-11-18T09:00:00Z"), "Zebra crossing", "Closing words")
	f.issue(nl, 5, bulletin.IssueDraft, time.Time{}, "Draft secret")
	f.issue(nl, 6, bulletin.IssueScheduled, time.Time{}, "Scheduled secret")
	f.issue(nl, 7, bulletin.IssueSending, time.Time{}, "Sending secret")
	f.issue(other, 1, bulletin.IssueSent, day("2026-11-10T09:00:00Z"), "Other newsletter")

	latest, err := db.ArchiveLatest(ctx, nl, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var nums []int
	for _, is := range latest {
		nums = append(nums, is.Number)
	}
	if !slices.Equal(nums, []int{4, 2, 1}) {
		t.Fatalf("latest = %v, want [4 2 1]", nums)
	}
	if !slices.Equal(latest[0].Highlights, []string{"Zebra crossing", "Closing words"}) {
		t.Fatalf("highlights = %q, want issue order", latest[0].Highlights)
	}

	months, err := db.ArchiveMonths(ctx, nl, "UTC")
	if err != nil {
		t.Fatal(err)
	}
	want := []bulletin.ArchiveMonth{{Year: 2026, Month: 11, Issues: 2}, {Year: 2026, Month: 10, Issues: 1}}
	if !slices.Equal(months, want) {
		t.Fatalf("months = %+v, want %+v", months, want)
	}
	// 03:00 UTC on 1 December is still 30 November in New York.
	f.issue(nl, 8, bulletin.IssueSent, day("2026-12-01T03:00:00Z"), "Late November in New York")
	ny, err := db.ArchiveMonths(ctx, nl, "America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	if ny[0] != (bulletin.ArchiveMonth{Year: 2026, Month: 11, Issues: 3}) {
		t.Fatalf("New York months = %+v, want November with 3 issues first", ny)
	}

	nov, err := db.ArchiveMonthIssues(ctx, nl, day("2026-11-01T00:00:00Z"), day("2026-12-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if len(nov) != 2 || nov[0].Number != 2 || nov[1].Number != 4 {
		t.Fatalf("November = %+v, want issues 2 and 4 oldest first", nov)
	}

	is, err := db.ArchiveIssue(ctx, nl, 2)
	if err != nil {
		t.Fatal(err)
	}
	if is.Prev != 1 || is.Next != 4 || is.HTML != "<p>issue html</p>" || !is.NextSentAt.Equal(day("2026-11-18T09:00:00Z")) {
		t.Fatalf("issue 2 = prev %d next %d html %q next sent %v", is.Prev, is.Next, is.HTML, is.NextSentAt)
	}
	if first, err := db.ArchiveIssue(ctx, nl, 1); err != nil || first.Prev != 0 || first.Next != 2 {
		t.Fatalf("issue 1 = %+v, %v", first, err)
	}
	for _, n := range []int{3, 5, 6, 7, 99} {
		_, err := db.ArchiveIssue(ctx, nl, n)
		if bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
			t.Errorf("issue %d: err = %v, want not found", n, err)
		}
	}

	for _, q := range []string{"secret", "draft", "cancelled", "scheduled", "sending", "other"} {
		res, err := db.ArchiveSearch(ctx, nl, q, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 0 || len(res.Hits) != 0 {
			t.Errorf("search %q found unsent or foreign items: %+v", q, res)
		}
	}
}

func TestArchiveSearchRanksMarksAndPages(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	f := archiveFixture{t, db}
	nl := f.newsletter("weekly", true)
	f.issue(nl, 1, bulletin.IssueSent, day("2026-11-04T09:00:00Z"), "Budgets approved", "Cycling lanes")
	f.issue(nl, 2, bulletin.IssueSent, day("2026-11-11T09:00:00Z"), "Community budget", "Unrelated item")
	// A contribution that tries to fake a mark, and one carrying markup.
	_, err := db.Pool.Exec(ctx, `UPDATE items SET body = $1 WHERE title = 'Cycling lanes'`,
		"budget "+bulletin.SnippetStart+"<script>alert(1)</script> lanes")
	if err != nil {
		t.Fatal(err)
	}

	res, err := db.ArchiveSearch(ctx, nl, "budget", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || len(res.Hits) != 3 {
		t.Fatalf("budget: %d hits of %d, want 3", len(res.Hits), res.Total)
	}
	// Title matches (weight A) outrank body-only matches.
	if strings.Contains(res.Hits[2].Title, bulletin.SnippetStart) || res.Hits[2].Number != 1 {
		t.Fatalf("last hit = %+v, want the body-only match of issue 1", res.Hits[2])
	}
	if !strings.Contains(res.Hits[0].Title, bulletin.SnippetStart+"budget"+bulletin.SnippetStop) &&
		!strings.Contains(res.Hits[0].Title, bulletin.SnippetStart+"Budgets"+bulletin.SnippetStop) {
		t.Fatalf("first hit title = %q, want the match marked", res.Hits[0].Title)
	}
	for _, h := range res.Hits {
		if strings.Count(h.Snippet, bulletin.SnippetStart) != strings.Count(h.Snippet, bulletin.SnippetStop) {
			t.Errorf("unbalanced marks in %q", h.Snippet)
		}
	}

	page2, err := db.ArchiveSearch(ctx, nl, "budget", 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if page2.Total != 3 || len(page2.Hits) != 1 || page2.Hits[0].ItemID != res.Hits[2].ItemID {
		t.Fatalf("page 2 = %+v, want the third hit of 3", page2)
	}

	// Snippets are plain words, not Markdown.
	_, err = db.Pool.Exec(ctx, `UPDATE items SET body = $1 WHERE title = 'Unrelated item'`,
		"## Lanterns\n> Bring **£5** and `a torch`; see [the route map](https://example.org/map) for the lanterns.")
	if err != nil {
		t.Fatal(err)
	}
	lanterns, err := db.ArchiveSearch(ctx, nl, "lanterns", 10, 0)
	if err != nil || len(lanterns.Hits) != 1 {
		t.Fatalf("lanterns: %+v, %v", lanterns, err)
	}
	want := "%Lanterns%\nBring £5 and a torch; see the route map for the %lanterns%"
	want = strings.NewReplacer("%Lanterns%", bulletin.SnippetStart+"Lanterns"+bulletin.SnippetStop,
		"%lanterns%", bulletin.SnippetStart+"lanterns"+bulletin.SnippetStop).Replace(want)
	if got := lanterns.Hits[0].Snippet; !strings.HasPrefix(got, want) {
		t.Errorf("snippet = %q, want it to start %q", got, want)
	}

	// Web search syntax and hostile input are just queries.
	for q, want := range map[string]int{
		`"community budget"`:      1,
		`budget -community`:       2,
		`cycling or unrelated`:    2,
		`'; DROP TABLE items; --`: 0,
		`the`:                     0, // only a stop word
		``:                        0,
	} {
		res, err := db.ArchiveSearch(ctx, nl, q, 10, 0)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if res.Total != want {
			t.Errorf("%q: %d hits, want %d", q, res.Total, want)
		}
	}
}

func TestArchiveNewsletterLookup(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	f := archiveFixture{t, db}
	if _, err := db.ArchiveDefaultSlug(ctx); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("no newsletters: err = %v, want not found", err)
	}
	first := f.newsletter("first", false)
	if slug, err := db.ArchiveDefaultSlug(ctx); err != nil || slug != "first" {
		t.Fatalf("default without a marked one = %q, %v; want the oldest", slug, err)
	}
	f.newsletter("main", true)
	if slug, err := db.ArchiveDefaultSlug(ctx); err != nil || slug != "main" {
		t.Fatalf("default = %q, %v; want main", slug, err)
	}
	_, err := db.Pool.Exec(ctx, `WITH l AS (INSERT INTO lists (slug, name, public)
		VALUES ('private', 'P', false), ('readers', 'R', true) RETURNING id)
		INSERT INTO newsletter_lists SELECT $1, id FROM l`, first)
	if err != nil {
		t.Fatal(err)
	}
	nl, err := db.ArchiveNewsletter(ctx, "first")
	if err != nil || nl.ID != first || nl.SubscribeTo != "readers" {
		t.Fatalf("first = %+v, %v; want subscribe to the public list", nl, err)
	}
	if _, err := db.ArchiveNewsletter(ctx, "nope"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("unknown newsletter: err = %v, want not found", err)
	}
}
