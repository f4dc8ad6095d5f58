package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// The issue page shows the counts and each failed delivery with its SMTP
// reply; an editor cancels a scheduled issue from it.
func TestIssuePageFailuresAndCancel(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	nl, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sent, sched int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status, subject, html) VALUES ($1, 1, 'sent', 'Weekly update 1: Budgets', '<p>x</p>') RETURNING id`, nl.ID).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `INSERT INTO issues (newsletter_id, number, status, subject, html, scheduled_at) VALUES ($1, 2, 'scheduled', 'Weekly update 2: Events', '<p>y</p>', now() + interval '1 day') RETURNING id`, nl.ID).Scan(&sched); err != nil {
		t.Fatal(err)
	}
	for i, d := range []struct{ email, status, reply string }{{"gone@example.org", "failed", "5.1.1 <gone@example.org>: user unknown"}, {"ok@example.org", "sent", "2.0.0 ok"}} {
		var sub int64
		db.Pool.QueryRow(ctx, `INSERT INTO subscribers (email, token) VALUES ($1, $2) RETURNING id`, d.email, "t"+itoa(int64(i))).Scan(&sub)
		if _, err := db.Pool.Exec(ctx, `INSERT INTO deliveries (issue_id, subscriber_id, status, last_code, last_reply) VALUES ($1, $2, $3, 550, $4)`, sent, sub, d.status, d.reply); err != nil {
			t.Fatal(err)
		}
	}
	// The store keeps per-issue counts as deliveries change; rows written
	// by hand need theirs written too.
	if _, err := db.Pool.Exec(ctx, `INSERT INTO delivery_counts (issue_id, total, sent, failed)
		SELECT issue_id, count(*), count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed')
		FROM deliveries GROUP BY issue_id`); err != nil {
		t.Fatal(err)
	}
	ed := client(t)
	login(t, ed, base, "editor")
	code, _, body := get(t, ed, base+"/admin/issues/weekly/1")
	if code != 200 || !strings.Contains(body, `id="failures"`) || !strings.Contains(body, "5.1.1 &lt;gone@example.org&gt;: user unknown") ||
		!strings.Contains(body, `data-percent="100"`) || !strings.Contains(body, `id="archive-link"`) {
		t.Fatalf("sent issue page = %d:\n%s", code, body)
	}
	if _, _, body = get(t, ed, base+"/admin/issues"); !strings.Contains(body, "Weekly update 2: Events") || !strings.Contains(body, "(1 failed)") {
		t.Fatalf("issues list:\n%s", body)
	}
	// A sent issue cannot be cancelled; a scheduled one can.
	if code, _, _ = post(t, ed, base+"/admin/issues/weekly/1/cancel", nil); code < 400 {
		t.Fatalf("cancel of a sent issue = %d", code)
	}
	if code, _, _ = post(t, ed, base+"/admin/issues/weekly/2/cancel", nil); code != http.StatusSeeOther {
		t.Fatalf("cancel = %d", code)
	}
	if is, _ := db.FindIssueByNumber(ctx, "weekly", 2); is.Status != bulletin.IssueCancelled {
		t.Fatalf("issue 2 is %s after cancelling", is.Status)
	}
	if is, _ := db.FindIssueByNumber(ctx, "weekly", 1); is.Status != bulletin.IssueSent {
		t.Fatal("a refused cancel changed issue 1")
	}
	// Nothing to compile: the list says so.
	post(t, ed, base+"/admin/issues/weekly/compile", nil)
	if _, _, body = get(t, ed, base+"/admin/issues"); !strings.Contains(body, "Nothing compiled: no approved items") {
		t.Fatal("compiling with nothing to compile gave no message")
	}
}
