package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/postgres"
)

func submit(t *testing.T, db *postgres.DB, by *bulletin.User, title string) *bulletin.Item {
	t.Helper()
	return mustItem(t, db, &bulletin.Item{Title: title, ContributorID: &by.ID})
}

// The contributor hears of the review in its transaction: approved, or
// rejected with the editor's note; a switched-off choice queues nothing.
func TestReviewNotifies(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	ed := mustUser(t, db, "ed@example.org", bulletin.RoleEditor)
	c := mustUser(t, db, "carol@example.org", bulletin.RoleContributor)
	ok := submit(t, db, c, "Bike lanes")
	no := submit(t, db, c, "Lost cat")
	if _, err := db.ReviewItem(ctx, ok.ID, bulletin.ItemApproved, "", ed); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReviewItem(ctx, no.ID, bulletin.ItemRejected, "Please use the lost-and-found board.", ed); err != nil {
		t.Fatal(err)
	}
	ms := queued(t, db, bulletin.MailReviewed)
	if len(ms) != 2 || ms[0].To != "carol@example.org" || ms[0].Values["Approved"] != true ||
		ms[1].Values["Approved"] != false || ms[1].Values["Note"] != "Please use the lost-and-found board." {
		t.Fatalf("review mails %+v", ms)
	}
	if err := db.SetNotifyPrefs(ctx, c.ID, bulletin.NotifyPrefs{}); err != nil {
		t.Fatal(err)
	}
	third := submit(t, db, c, "Market day")
	if _, err := db.ReviewItem(ctx, third.ID, bulletin.ItemApproved, "", ed); err != nil {
		t.Fatal(err)
	}
	if n := len(queued(t, db, bulletin.MailReviewed)); n != 2 {
		t.Fatalf("%d review mails after switching them off, want still 2", n)
	}
	// A refused review queues nothing either.
	if _, err := db.ReviewItem(ctx, third.ID, "maybe", "", ed); err == nil {
		t.Fatal("review to an unknown status accepted")
	}
	if n := count(t, db, `SELECT count(*) FROM mail_queue`); n != 2 {
		t.Fatalf("%d mails after a refused review", n)
	}
}

// A digest lists new submissions by others, goes out at most once per
// period, never empty, and once even with two processes racing.
func TestDigests(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	ed := mustUser(t, db, "ed@example.org", bulletin.RoleEditor)
	off := mustUser(t, db, "off@example.org", bulletin.RoleEditor)
	if err := db.SetNotifyPrefs(ctx, off.ID, bulletin.NotifyPrefs{}); err != nil {
		t.Fatal(err)
	}
	c := mustUser(t, db, "carol@example.org", bulletin.RoleContributor)
	if n, err := db.QueueDigests(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("digests with nothing new: %d, %v", n, err)
	}
	submit(t, db, c, "First")
	submit(t, db, ed, "The editor's own")
	race(t, 4, func() error { _, err := db.QueueDigests(ctx, time.Hour); return err })
	ms := queued(t, db, bulletin.MailDigest)
	if len(ms) != 1 || ms[0].To != "ed@example.org" {
		t.Fatalf("digests %+v, want one to ed", ms)
	}
	items, _ := ms[0].Values["Items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["Title"] != "First" {
		t.Fatalf("digest items %v, want only carol's", items)
	}
	submit(t, db, c, "Second")
	if n, _ := db.QueueDigests(ctx, time.Hour); n != 0 {
		t.Fatal("a second digest within the period")
	}
	// The period passes: the next digest has only what came since.
	passTime(t, db)
	if n, _ := db.QueueDigests(ctx, time.Hour); n != 1 {
		t.Fatal("no digest after the period")
	}
	ms = queued(t, db, bulletin.MailDigest)
	items, _ = ms[1].Values["Items"].([]any)
	if len(ms) != 2 || len(items) != 1 || items[0].(map[string]any)["Title"] != "Second" {
		t.Fatalf("second digest %+v", ms[1])
	}
	passTime(t, db)
	if n, _ := db.QueueDigests(ctx, time.Hour); n != 0 {
		t.Fatal("an empty digest")
	}
}

// passTime moves the digests' clocks and the items' submission times 61
// minutes back, as if that much time had passed.
func passTime(t *testing.T, db *postgres.DB) {
	t.Helper()
	if _, err := db.Pool.Exec(context.Background(), `UPDATE users SET last_digest_at = last_digest_at - interval '61 minutes', created_at = created_at - interval '61 minutes'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(context.Background(), `UPDATE items SET created_at = created_at - interval '61 minutes'`); err != nil {
		t.Fatal(err)
	}
}

// race runs fn in n goroutines at once.
func race(t *testing.T, n int, fn func() error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := fn(); err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
}

// When an issue is sent, each contributor hears "published in Update N"
// with their item's anchor, and each admin gets the send report, once,
// with two processes racing.
func TestNotifySentIssue(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	boss := admin(t, db)
	quiet := mustUser(t, db, "quiet@example.org", bulletin.RoleAdmin)
	if err := db.SetNotifyPrefs(ctx, quiet.ID, bulletin.NotifyPrefs{}); err != nil {
		t.Fatal(err)
	}
	ed := mustUser(t, db, "ed@example.org", bulletin.RoleEditor)
	c := mustUser(t, db, "carol@example.org", bulletin.RoleContributor)
	a := submit(t, db, c, "First item")
	b := submit(t, db, c, "Second item")
	for _, it := range []*bulletin.Item{a, b} {
		if _, err := db.ReviewItem(ctx, it.ID, bulletin.ItemApproved, "", ed); err != nil {
			t.Fatal(err)
		}
	}
	fixture.List(t, db, &bulletin.List{Slug: "weekly-readers"})
	is := fixture.Issue(t, db, "")
	if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, status, last_code) VALUES
		($1, 1, 'sent', 250), ($1, 2, 'sent', 250), ($1, 3, 'failed', 451), ($1, 4, 'failed', 550)`, is.ID); err != nil {
		t.Fatal(err)
	}
	if took, err := db.NotifySentIssue(ctx); err != nil || took {
		t.Fatalf("a draft notified: %v %v", took, err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sent', sent_at = now() WHERE id = $1`, is.ID); err != nil {
		t.Fatal(err)
	}
	race(t, 4, func() error {
		for {
			took, err := db.NotifySentIssue(ctx)
			if err != nil || !took {
				return err
			}
		}
	})
	pub := queued(t, db, bulletin.MailPublished)
	if len(pub) != 2 || pub[0].To != "carol@example.org" || pub[0].Values["Title"] != "First item" ||
		pub[0].Values["Path"] != "/archive/weekly/1/email#item-1" || pub[1].Values["Path"] != "/archive/weekly/1/email#item-2" {
		t.Fatalf("published mails %+v", pub)
	}
	rep := queued(t, db, bulletin.MailSendReport)
	if len(rep) != 1 || rep[0].To != boss.Email || rep[0].Values["Delivered"] != 2.0 || rep[0].Values["Failed"] != 1.0 ||
		rep[0].Values["Bounced"] != 1.0 || rep[0].Values["Path"] != "/admin/issues/weekly/1" {
		t.Fatalf("send reports %+v", rep)
	}
	if took, _ := db.NotifySentIssue(ctx); took {
		t.Fatal("an issue notified twice")
	}
}
