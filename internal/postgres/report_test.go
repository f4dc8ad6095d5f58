package postgres_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
)

func TestIssueReportFigures(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	nl := fixture.Newsletter(t, db)
	fixture.List(t, db, &bulletin.List{Slug: "readers"})
	fixture.Readers(t, db, "readers", 6)
	a := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "First story", Status: bulletin.ItemApproved, URL: "https://a.example/"})
	b := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Second story", Status: bulletin.ItemApproved, URL: "https://c.example/"})
	one := fixture.Issue(t, db, "")
	two := fixture.Issue(t, db, "")
	sent := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	fixture.SentAt(t, db, one.ID, sent)
	fixture.SentAt(t, db, two.ID, sent.Add(5*24*time.Hour))
	fixture.DeliveryCounts(t, db, one.ID, 6, 5, 1)
	fixture.Inbound(t, db, one.ID, "bounce", "5.1.1", "b1")
	fixture.Inbound(t, db, one.ID, "bounce", "5.2.2", "b2")
	fixture.Inbound(t, db, one.ID, "bounce", "4.2.2", "b3") // transient: not a bounce of the list
	fixture.Inbound(t, db, one.ID, "complaint", "", "c1")
	fixture.Inbound(t, db, two.ID, "complaint", "", "c2")

	fixture.LeftAt(t, db, "readers", fixture.Reader(1), bulletin.LeftByLink, sent.Add(time.Hour))                  // issue 1
	fixture.LeftAt(t, db, "readers", fixture.Reader(2), bulletin.LeftByMailto, sent.Add(48*time.Hour))             // issue 1
	fixture.LeftAt(t, db, "readers", fixture.Reader(3), bulletin.LeftByLink, sent.Add(6*24*time.Hour))             // issue 2 started
	fixture.LeftAt(t, db, "readers", fixture.Reader(4), bulletin.LeftByPreferences, sent.Add(time.Hour))           // not by token
	fixture.LeftAt(t, db, "readers", fixture.Reader(5), bulletin.LeftByLink, sent.Add(-time.Hour))                 // before the send
	fixture.LeftAt(t, db, "readers", fixture.Reader(6), bulletin.LeftByLink, sent.Add(5*24*time.Hour+time.Second)) // issue 2

	fixture.Link(t, db, one.ID, 1, "https://a.example/", a.ID)
	fixture.Link(t, db, one.ID, 2, "https://a.example/more", a.ID)
	fixture.Link(t, db, one.ID, 3, "https://c.example/", b.ID)
	fixture.Link(t, db, one.ID, 4, "https://d.example/", 0)
	fixture.Clicks(t, db, one.ID, 1, sent, 10)
	fixture.Clicks(t, db, one.ID, 1, sent.Add(24*time.Hour), 5)
	fixture.Clicks(t, db, one.ID, 2, sent, 3)
	fixture.Clicks(t, db, one.ID, 3, sent.Add(48*time.Hour), 20)
	fixture.Clicks(t, db, one.ID, 4, sent.Add(8*24*time.Hour), 7) // after the first week: in the total only

	r, err := db.IssueReport(ctx, nl.Slug, one.Number)
	if err != nil {
		t.Fatal(err)
	}
	want := [...]int64{6, 5, 1, 2, 1, 2, 45}
	got := [...]int64{r.Recipients, r.Delivered, r.Failed, r.Bounced, r.Complaints, r.Unsubscribes, r.Clicks}
	if got != want {
		t.Errorf("recipients, delivered, failed, bounced, complaints, unsubscribes, clicks = %v, want %v", got, want)
	}
	if r.SentUntil == nil || !r.SentUntil.Equal(sent.Add(5*24*time.Hour)) {
		t.Errorf("window ends %v, want the next issue's start", r.SentUntil)
	}
	var links []int
	for _, l := range r.Links {
		links = append(links, l.Link)
	}
	if len(links) != 4 || links[0] != 3 || links[1] != 1 || links[2] != 4 || links[3] != 2 {
		t.Errorf("links ranked %v, want [3 1 4 2]", links)
	}
	if r.Links[2].Item != nil || r.Links[0].Item == nil || *r.Links[0].Item != 2 {
		t.Errorf("link items: %+v", r.Links)
	}
	if len(r.Items) != 2 || r.Items[0] != (bulletin.ItemClicks{Number: 2, Title: "Second story", Clicks: 20}) ||
		r.Items[1] != (bulletin.ItemClicks{Number: 1, Title: "First story", Clicks: 18}) {
		t.Errorf("items %+v", r.Items)
	}
	if h := r.Highlights(); len(h) != 2 || h[0].Title != "First story" || h[0].Clicks != 18 {
		t.Errorf("highlights %+v", h)
	}
	wantDays := []int64{13, 5, 20, 0, 0, 0, 0}
	if len(r.Days) != 7 || r.Days[0].Day != "2026-03-02" || r.Days[6].Day != "2026-03-08" {
		t.Fatalf("days %+v", r.Days)
	}
	for i, d := range r.Days {
		if d.Clicks != wantDays[i] {
			t.Errorf("day %s: %d clicks, want %d", d.Day, d.Clicks, wantDays[i])
		}
	}

	r2, err := db.IssueReport(ctx, nl.Slug, two.Number)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Unsubscribes != 2 || r2.Complaints != 1 || r2.Clicks != 0 || r2.Recipients != 0 {
		t.Errorf("issue 2: %+v", r2)
	}
	if !r2.SentUntil.Equal(sent.Add(12 * 24 * time.Hour)) {
		t.Errorf("issue 2 window ends %v, want a week after its send", r2.SentUntil)
	}

	draft := fixture.Issue(t, db, "")
	r3, err := db.IssueReport(ctx, nl.Slug, draft.Number)
	if err != nil || r3.SentFrom != nil || r3.Unsubscribes != 0 || len(r3.Days) != 0 {
		t.Errorf("unsent issue: %+v, %v", r3, err)
	}
	_, err = db.IssueReport(ctx, nl.Slug, 99)
	wantCode(t, err, bulletin.ENOTFOUND)
	_, err = db.IssueReport(ctx, "nope", 1)
	wantCode(t, err, bulletin.ENOTFOUND)
}

func TestListGrowthWeeks(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	fixture.List(t, db, &bulletin.List{Slug: "readers"})
	fixture.List(t, db, &bulletin.List{Slug: "other"})
	now := time.Now()
	week := func(back int) time.Time { return now.AddDate(0, 0, -7*back) }
	// Three joined two weeks ago (as if confirmed then).
	fixture.Subscriber(t, db, "readers", "a@example.org")
	fixture.Subscriber(t, db, "readers", "b@example.org")
	c := fixture.Subscriber(t, db, "readers", "c@example.org")
	if _, err := db.Pool.Exec(ctx, `DELETE FROM list_growth`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO list_growth (list_id, week, joined, net)
		SELECT id, growth_week($1), 3, 3 FROM lists WHERE slug = 'readers'`, week(2)); err != nil {
		t.Fatal(err)
	}
	fixture.LeftAt(t, db, "readers", "b@example.org", bulletin.LeftByMailto, week(1))
	d := fixture.Subscriber(t, db, "readers", "d@example.org")
	fixture.Subscriber(t, db, "other", "e@example.org")
	if _, err := db.Unsubscribe(ctx, c.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE subscribers SET status = 'bounced' WHERE email = 'a@example.org'`); err != nil {
		t.Fatal(err)
	}
	if err := db.EraseSubscriber(ctx, d.ID); err != nil {
		t.Fatal(err)
	}

	g, err := db.ListGrowth(ctx, "readers", 4, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Weeks) != 4 || g.Weeks[3].Week != now.UTC().AddDate(0, 0, -((int(now.UTC().Weekday())+6)%7)).Format(time.DateOnly) {
		t.Fatalf("weeks %+v", g.Weeks)
	}
	type fig struct{ confirmed, link, mailto, unsubs, bounced, active int64 }
	want := []fig{{0, 0, 0, 0, 0, 0}, {3, 0, 0, 0, 0, 3}, {0, 0, 1, 1, 0, 2}, {1, 1, 0, 1, 1, 1}}
	for i, w := range g.Weeks {
		got := fig{w.Confirmed, w.Unsubscribed["link"], w.Unsubscribed["mailto"], w.Unsubscribes, w.Bounced, w.Active}
		if got != want[i] {
			t.Errorf("week %s: %+v, want %+v", w.Week, got, want[i])
		}
	}
	counts, err := db.CountList(ctx, "readers")
	if err != nil || int64(counts.Active) != g.Weeks[3].Active {
		t.Errorf("active %d, the Lists page counts %+v (%v)", g.Weeks[3].Active, counts, err)
	}
	// Older weeks carry into the first active total.
	g2, err := db.ListGrowth(ctx, "readers", 1, now)
	if err != nil || len(g2.Weeks) != 1 || g2.Weeks[0].Active != 1 {
		t.Errorf("one week: %+v, %v", g2, err)
	}
	all, err := db.NewsletterGrowth(ctx, "", 2, now)
	if err != nil || len(all) != 2 || all[0].List != "other" || all[0].Weeks[1].Confirmed != 1 || all[0].Weeks[1].Active != 1 {
		t.Errorf("every list: %+v, %v", all, err)
	}

	for _, n := range []int{0, -1, 521} {
		_, err = db.ListGrowth(ctx, "readers", n, now)
		wantCode(t, err, bulletin.EINVALID)
	}
	_, err = db.ListGrowth(ctx, "nope", 4, now)
	wantCode(t, err, bulletin.ENOTFOUND)
	_, err = db.NewsletterGrowth(ctx, "nope", 4, now)
	wantCode(t, err, bulletin.ENOTFOUND)
}

// TestListGrowthImportAndDelete: a CSV import counts every row in one
// statement, and deleting the list takes its weeks.
func TestListGrowthImportAndDelete(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	fixture.List(t, db, &bulletin.List{Slug: "readers"})
	fixture.Readers(t, db, "readers", 250)
	g, err := db.ListGrowth(ctx, "readers", 1, time.Now())
	if err != nil || g.Weeks[0].Confirmed != 250 || g.Weeks[0].Active != 250 {
		t.Fatalf("after import: %+v, %v", g, err)
	}
	if err := db.DeleteList(ctx, "readers"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM list_growth`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d growth rows left, %v", n, err)
	}
}
