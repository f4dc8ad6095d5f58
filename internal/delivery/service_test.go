package delivery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

func TestFanOutOneDeliveryPerDistinctActiveSubscriber(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := seed(t, db, 10) // user1…10 on "main"
	_, err := db.Pool.Exec(ctx, `INSERT INTO lists (slug, name) VALUES ('extra', 'Extra'), ('other', 'Other');
		INSERT INTO newsletter_lists SELECT n.id, l.id FROM newsletters n, lists l WHERE l.slug = 'extra'`)
	if err != nil {
		t.Fatal(err)
	}
	addSubscribers(t, db, "extra", 8, 12)  // 8…10 on both lists, 11 and 12 only on extra
	addSubscribers(t, db, "other", 13, 14) // a list of another newsletter
	_, err = db.Pool.Exec(ctx, `UPDATE subscribers SET status = 'unsubscribed' WHERE email = 'user1@example.org';
		UPDATE subscribers SET status = 'bounced' WHERE email = 'user2@example.org';
		UPDATE subscribers SET status = 'pending' WHERE email = 'user3@example.org';
		UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = 'user4@example.org');
		UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = 'user9@example.org')
			AND list_id = (SELECT id FROM lists WHERE slug = 'main')`)
	if err != nil {
		t.Fatal(err)
	}
	svc := &delivery.Service{Store: db, Transport: transport(newSink(t)), Config: fastConfig(), Log: testLog(t)}
	n, err := svc.Send(ctx, "weekly", 1)
	if err != nil {
		t.Fatal(err)
	}
	// 5…12: 1–3 are not active, 4 left the list, 9 is still on "extra", 13–14 are another newsletter's.
	var emails []string
	rows, _ := db.Pool.Query(ctx, `SELECT s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.issue_id = $1 AND d.status = 'pending' ORDER BY s.id`, issue)
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		emails = append(emails, strings.TrimSuffix(strings.TrimPrefix(e, "user"), "@example.org"))
	}
	if got := strings.Join(emails, ","); n != 8 || got != "5,6,7,8,9,10,11,12" {
		t.Errorf("fan-out created %d deliveries for users %s, want 8 for 5,6,7,8,9,10,11,12", n, got)
	}
	if st := issueStatus(t, db, issue); st != bulletin.IssueSending {
		t.Errorf("issue is %s after fan-out, want sending", st)
	}
	// A second start adds nothing: the issue is no longer scheduled.
	if _, err := db.StartIssue(ctx, issue, []string{bulletin.IssueScheduled}); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Errorf("second start: %v, want ECONFLICT", err)
	}
	var total int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries`).Scan(&total)
	if total != 8 {
		t.Errorf("%d deliveries after a second start, want 8", total)
	}

	// The foreign keys' ON DELETE actions are triggers now (0041): erasing a
	// subscriber keeps the delivery without the person; deleting the issue
	// deletes its deliveries.
	if _, err := db.Pool.Exec(ctx, `DELETE FROM subscribers WHERE email = 'user5@example.org'`); err != nil {
		t.Fatal(err)
	}
	var orphans int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE subscriber_id IS NULL`).Scan(&orphans)
	if orphans != 1 {
		t.Errorf("%d deliveries without a subscriber after erasing one, want 1", orphans)
	}
	if _, err := db.Pool.Exec(ctx, `DELETE FROM issues WHERE id = $1`, issue); err != nil {
		t.Fatal(err)
	}
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries`).Scan(&total)
	if total != 0 {
		t.Errorf("%d deliveries left after deleting their issue", total)
	}
}

func TestSendRejectsHeaderInjectionAndChangesNothing(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := seed(t, db, 3)
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET subject = E'News\r\nBcc: victim@example.com'`); err != nil {
		t.Fatal(err)
	}
	s := newSink(t)
	svc := &delivery.Service{Store: db, Transport: transport(s), Config: fastConfig(), Log: testLog(t)}
	_, err := svc.Send(ctx, "weekly", 1)
	if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(bulletin.ErrorMessage(err), "subject") {
		t.Fatalf("send with CR/LF in the subject: %v, want EINVALID naming the subject", err)
	}
	var n int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries`).Scan(&n)
	if st := issueStatus(t, db, issue); st != bulletin.IssueScheduled || n != 0 {
		t.Errorf("after a rejected send the issue is %s with %d deliveries, want scheduled with none", st, n)
	}
	if _, err := svc.SendTest(ctx, "weekly", 1, "ann@example.net"); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("test send with CR/LF in the subject: %v, want EINVALID", err)
	}
	if s.Count() != 0 {
		t.Errorf("the server received %d messages", s.Count())
	}
}

func TestSendChecksTheIssue(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	seed(t, db, 1)
	svc := &delivery.Service{Store: db, Transport: transport(newSink(t)), Config: fastConfig(), Log: testLog(t)}
	if _, err := svc.Send(ctx, "weekly", 2); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("unknown issue: %v, want ENOTFOUND", err)
	}
	if _, err := svc.Send(ctx, "nope", 1); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("unknown newsletter: %v, want ENOTFOUND", err)
	}
	_, _ = db.Pool.Exec(ctx, `UPDATE issues SET status = 'cancelled'`)
	if _, err := svc.Send(ctx, "weekly", 1); bulletin.ErrorCode(err) != bulletin.EUNPROCESSABLE {
		t.Errorf("cancelled issue: %v, want EUNPROCESSABLE", err)
	}
	_, _ = db.Pool.Exec(ctx, `UPDATE issues SET status = 'draft', html = '', text_body = ''`)
	if _, err := svc.Send(ctx, "weekly", 1); bulletin.ErrorCode(err) != bulletin.EUNPROCESSABLE {
		t.Errorf("issue without content: %v, want EUNPROCESSABLE", err)
	}
}

func TestDueScheduledIssueIsSentAndPersonalised(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := seed(t, db, 3)
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET scheduled_at = now()`); err != nil {
		t.Fatal(err)
	}
	s := newSink(t)
	_, svc := startPool(t, db, s, fastConfig())
	waitFinished(t, db, issue, fixture.WaitTimeout)
	var token string
	_ = db.Pool.QueryRow(ctx, `SELECT token FROM subscribers WHERE email = $1`, email(2)).Scan(&token)
	raw := s.Last(email(2))
	data := readable(t, raw)
	for _, want := range []string{"Hi User 2,", "https://news.example.org/unsubscribe/" + token, "List-Unsubscribe: <https://news.example.org/unsubscribe/" + token + ">"} {
		if !strings.Contains(data, want) {
			t.Errorf("message to %s lacks %q", email(2), want)
		}
	}
	if strings.Contains(data, "__BULLETIN_") {
		t.Errorf("message to %s still holds a placeholder", email(2))
	}
	p, _, err := svc.Progress(ctx, "weekly", 1)
	if err != nil || p.Total != 3 || p.Sent != 3 || p.Pending != 0 || p.Failed != 0 || p.Rate <= 0 {
		t.Errorf("progress %+v (%v): want 3 sent of 3 and a rate", p, err)
	}
}

func TestSendTestSendsOneCopyAndRecordsNothing(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := seed(t, db, 3)
	s := newSink(t)
	svc := &delivery.Service{Store: db, Transport: transport(s), Config: fastConfig(), Log: testLog(t)}
	reply, err := svc.SendTest(ctx, "weekly", 1, "editor@example.net")
	if err != nil || !strings.HasPrefix(reply, "250") {
		t.Fatalf("test send: %q, %v", reply, err)
	}
	if s.Received("editor@example.net") != 1 || s.Count() != 1 {
		t.Errorf("server received %d messages (%d to the editor), want 1", s.Count(), s.Received("editor@example.net"))
	}
	var n int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries`).Scan(&n)
	if st := issueStatus(t, db, issue); n != 0 || st != bulletin.IssueScheduled {
		t.Errorf("a test send changed the issue: %s with %d deliveries", st, n)
	}
	if _, err := svc.SendTest(ctx, "weekly", 1, "not-an-address"); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("test send to a bad address: %v, want EINVALID", err)
	}
}

// A sender idle for its whole poll interval starts at once when another
// process starts an issue: StartIssue NOTIFYs, the pool LISTENs.
func TestNotifyWakesAnIdleSender(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := seed(t, db, 5)
	s := newSink(t)
	cfg := fastConfig()
	cfg.Poll = time.Hour
	startPool(t, db, s, cfg)
	waitFor(t, 30*time.Second, "the sender listening", func() bool {
		var n int
		_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND query = 'LISTEN bulletin_deliveries'`).Scan(&n)
		return n == 1
	})
	if _, err := db.StartIssue(ctx, issue, []string{bulletin.IssueScheduled}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "all five delivered without a poll", func() bool { return s.Count() == 5 })
}

// A fan-out cut off after its first chunk (its process died) is continued
// by a sender pool, and every subscriber gets exactly one copy.
func TestInterruptedFanOutIsContinuedBySenders(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	const n = 2500
	issue := seed(t, db, n)
	first, err := db.StartIssue(ctx, issue, []string{bulletin.IssueScheduled})
	if err != nil || first >= n {
		t.Fatalf("first chunk: %d, %v; want fewer than %d", first, err, n)
	}
	continuedBySenders(t, db, issue, n)
}

// continuedBySenders backdates the issue's last change, as if the process
// fanning it out had stopped a while ago, and checks that a sender pool
// finishes the fan-out and delivers each of its n subscribers once.
func continuedBySenders(t *testing.T, db *postgres.DB, issue int64, n int) {
	t.Helper()
	if _, err := db.Pool.Exec(context.Background(), `UPDATE issues SET updated_at = now() - interval '5 minutes' WHERE id = $1`, issue); err != nil {
		t.Fatal(err)
	}
	s := newSink(t)
	startPool(t, db, s, fastConfig())
	waitFinished(t, db, issue, fixture.WaitTimeout)
	checkDelivered(t, s, n, 0)
	checkCounts(t, db, issue)
}

// Sending a sending issue again (what an operator does after a crash)
// finishes a fan-out that was cut short, at once.
func TestSendAgainFinishesACutShortFanOut(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	const n = 2500
	issue := seed(t, db, n)
	first, err := db.StartIssue(ctx, issue, []string{bulletin.IssueScheduled})
	if err != nil {
		t.Fatal(err)
	}
	svc := &delivery.Service{Store: db, Transport: transport(newSink(t)), Config: fastConfig(), Log: testLog(t)}
	rest, err := svc.Send(ctx, "weekly", 1)
	if err != nil || first+rest != n {
		t.Fatalf("send again: %d more after %d (%v), want %d in all", rest, first, err, n)
	}
	if again, err := svc.Send(ctx, "weekly", 1); err != nil || again != 0 {
		t.Errorf("a third send created %d (%v), want nothing", again, err)
	}
}
