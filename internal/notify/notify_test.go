package notify_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/notify"
	"bulletin/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Two notifier processes running at once queue each email once: the
// reset link, the digest, the "published in" email and the send report.
func TestTwoServicesQueueEachEmailOnce(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	fixture.Newsletter(t, db)
	boss := fixture.User(t, db, "boss@example.org", bulletin.RoleAdmin)
	ed := fixture.User(t, db, "ed@example.org", bulletin.RoleEditor)
	c := fixture.User(t, db, "carol@example.org", bulletin.RoleContributor)
	it := fixture.Item(t, db, &bulletin.Item{Title: "Bike lanes", ContributorID: &c.ID})
	fixture.Item(t, db, &bulletin.Item{Title: "Waiting", ContributorID: &c.ID})
	if _, err := db.ReviewItem(ctx, it.ID, bulletin.ItemApproved, "", ed); err != nil {
		t.Fatal(err)
	}
	is := fixture.Issue(t, db, "")
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sent', sent_at = now() WHERE id = $1`, is.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.RequestReset(ctx, "carol@example.org"); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &notify.Service{Store: db, Digest: time.Hour, Log: log}
			for range 3 {
				if err := s.RunOnce(ctx); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	want := map[[2]string]int{
		{bulletin.MailReset, c.Email}:         1,
		{bulletin.MailReviewed, c.Email}:      1,
		{bulletin.MailPublished, c.Email}:     1,
		{bulletin.MailSendReport, boss.Email}: 1,
		{bulletin.MailDigest, ed.Email}:       1, // "Waiting" is new; boss's digest too
		{bulletin.MailDigest, boss.Email}:     1,
	}
	rows, err := db.Pool.Query(ctx, `SELECT kind, payload->>'to', count(*) FROM mail_queue GROUP BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]int{}
	for rows.Next() {
		var k, to string
		var n int
		if err := rows.Scan(&k, &to, &n); err != nil {
			t.Fatal(err)
		}
		got[[2]string{k, to}] = n
	}
	if len(got) != len(want) {
		t.Errorf("queued %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%v: %d emails, want %d", k, got[k], n)
		}
	}
}
