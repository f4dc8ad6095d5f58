package postgres_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// fanOutIssue makes a scheduled issue of the default newsletter, whose
// list has n active subscribers, plus one unsubscribed and one bounced
// subscriber who must get nothing. It returns the issue id.
func fanOutIssue(t *testing.T, db *postgres.DB, n int) int64 {
	t.Helper()
	ctx := context.Background()
	nl, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var issue int64
	err = db.Pool.QueryRow(ctx, `WITH l AS (INSERT INTO lists (slug, name) VALUES ('main', 'Main') RETURNING id),
			nll AS (INSERT INTO newsletter_lists SELECT $1, id FROM l),
			s AS (INSERT INTO subscribers (email, token, status)
				SELECT 'user' || g || '@example.org', 'tok' || g, 'active' FROM generate_series(1, $2::int) g
				UNION ALL VALUES ('bounced@example.org', 'tokb', 'bounced'), ('left@example.org', 'tokl', 'active')
				RETURNING id, email),
			sub AS (INSERT INTO subscriptions (list_id, subscriber_id, status)
				SELECT l.id, s.id, CASE s.email WHEN 'left@example.org' THEN 'unsubscribed' ELSE 'active' END FROM l, s)
		INSERT INTO issues (newsletter_id, number, status) VALUES ($1, 1, 'scheduled') RETURNING id`, nl.ID, n).Scan(&issue)
	if err != nil {
		t.Fatal(err)
	}
	return issue
}

// startedIssue is fanOutIssue moved to sending with its first chunk of
// deliveries; it returns the issue and how many deliveries that created.
func startedIssue(t *testing.T, db *postgres.DB, n int) (int64, int64) {
	t.Helper()
	issue := fanOutIssue(t, db, n)
	first, err := db.StartIssue(context.Background(), issue, []string{bulletin.IssueScheduled})
	if err != nil {
		t.Fatal(err)
	}
	return issue, first
}

// The move to sending commits with a first, small chunk of deliveries, so
// senders can start at once; FanOut adds the rest in later transactions.
// The issue cannot finish before its fan-out has, and a second FanOut adds
// nothing.
func TestFanOutInChunks(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	const n = 30_000 // more than the first chunk and one full chunk after it
	issue, first := startedIssue(t, db, n)
	if first <= 0 || first >= n {
		t.Fatalf("the first chunk created %d deliveries, want some but not all of %d", first, n)
	}
	// Everything fanned out so far is sent: the issue must still not finish.
	if _, err := db.Pool.Exec(ctx, `UPDATE deliveries SET status = 'sent'`); err != nil {
		t.Fatal(err)
	}
	if ids, err := db.FinishIssues(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("FinishIssues with the fan-out unfinished: %v, %v; want nothing finished", ids, err)
	}

	rest, err := db.FanOut(ctx, issue)
	if err != nil {
		t.Fatal(err)
	}
	var total, distinct int
	var fanoutDone bool
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT subscriber_id),
		(SELECT fanout_after IS NULL FROM issues WHERE id = $1) FROM deliveries WHERE issue_id = $1`, issue).Scan(&total, &distinct, &fanoutDone); err != nil {
		t.Fatal(err)
	}
	if first+rest != n || total != n || distinct != n || !fanoutDone {
		t.Fatalf("first %d + rest %d; %d rows for %d subscribers, fan-out done %v; want %d of each, done",
			first, rest, total, distinct, fanoutDone, n)
	}
	var wrong int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE s.email IN ('bounced@example.org', 'left@example.org')`).Scan(&wrong); err != nil || wrong != 0 {
		t.Errorf("%d deliveries (%v) for the bounced and the unsubscribed subscriber, want none", wrong, err)
	}
	if again, err := db.FanOut(ctx, issue); err != nil || again != 0 {
		t.Errorf("a second FanOut created %d (%v), want nothing", again, err)
	}
}

// A fan-out whose process died shows as stalled once it has stood still
// long enough, and FanOut continues it from where it stopped.
func TestStalledFanOutIsContinued(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	const n = 3000
	issue, first := startedIssue(t, db, n)
	if ids, err := db.StalledFanOuts(ctx, time.Minute); err != nil || len(ids) != 0 {
		t.Fatalf("a fan-out that just moved counts as stalled: %v, %v", ids, err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET updated_at = now() - interval '2 minutes' WHERE id = $1`, issue); err != nil {
		t.Fatal(err)
	}
	ids, err := db.StalledFanOuts(ctx, time.Minute)
	if err != nil || len(ids) != 1 || ids[0] != issue {
		t.Fatalf("stalled fan-outs %v, %v; want [%d]", ids, err, issue)
	}
	rest, err := db.FanOut(ctx, ids[0])
	if err != nil || first+rest != n {
		t.Fatalf("continued fan-out: %d + %d (%v), want %d", first, rest, err, n)
	}
}

// The fan-out inserts without a conflict check (its stored position makes
// one needless); should a delivery exist all the same, the chunk is redone
// with ON CONFLICT DO NOTHING rather than stopping the issue.
func TestFanOutMeetsAnExistingDelivery(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	const n = 3000
	issue, first := startedIssue(t, db, n)
	if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id)
		SELECT $1, id FROM subscribers WHERE email = 'user2500@example.org'`, issue); err != nil {
		t.Fatal(err)
	}
	rest, err := db.FanOut(ctx, issue)
	if err != nil {
		t.Fatalf("fan-out over an existing delivery: %v", err)
	}
	var total, distinct int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT subscriber_id) FROM deliveries WHERE issue_id = $1`, issue).Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if first+rest != n-1 || total != n || distinct != n {
		t.Errorf("created %d + %d, %d rows for %d subscribers; want %d created and %d of each", first, rest, total, distinct, n-1, n)
	}
}
