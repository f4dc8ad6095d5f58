package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/pgtest"
)

// An issue's failed deliveries come with the address and the last SMTP
// reply; sent and pending ones and other issues' failures do not.
func TestFindDeliveryFailures(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	nl, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var issue, other int64
	for n, id := range map[int]*int64{1: &issue, 2: &other} {
		if err := db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status) VALUES ($1, $2, 'sending') RETURNING id`, nl.ID, n).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	rows := []struct {
		issue         int64
		email, status string
		code          int
		reply         string
	}{
		{issue, "gone@example.org", "failed", 550, "5.1.1 user unknown"},
		{issue, "ok@example.org", "sent", 250, "2.0.0 queued"},
		{issue, "later@example.org", "pending", 451, "4.7.1 try later"},
		{other, "elsewhere@example.org", "failed", 554, "5.7.1 refused"},
	}
	for i, r := range rows {
		var sub int64
		if err := db.Pool.QueryRow(ctx, `INSERT INTO subscribers (email, token) VALUES ($1, $2) RETURNING id`, r.email, "tok"+string(rune('a'+i))).Scan(&sub); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, status, attempts, last_code, last_reply) VALUES ($1, $2, $3, 1, $4, $5)`,
			r.issue, sub, r.status, r.code, r.reply); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.FindDeliveryFailures(ctx, issue, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Email != "gone@example.org" || got[0].LastCode != 550 || got[0].LastReply != "5.1.1 user unknown" {
		t.Fatalf("failures = %+v", got)
	}
}
