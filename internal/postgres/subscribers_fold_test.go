package postgres_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/migrations"
)

// An address's identity ignores case: three spellings are one subscriber,
// found by any of them, shown as first typed.
func TestSubscribeCaseIsOneSubscriber(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	var ids []int64
	for _, e := range []string{"Victim@example.org", "victim@example.org", "vIctim@EXAMPLE.org"} {
		res, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly", Email: e, Method: bulletin.ConsentForm, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Subscriber.ID)
		if res.Subscriber.Email != "Victim@example.org" {
			t.Errorf("subscribing %s: email %q, want the first spelling kept", e, res.Subscriber.Email)
		}
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Fatalf("subscriber ids %v: want one subscriber", ids)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscribers`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d subscribers, %v; want 1", n, err)
	}
	found, err := db.FindSubscribers(ctx, "VICTIM@example.org", 0, 1)
	if err != nil || len(found) != 1 || found[0].ID != ids[0] {
		t.Fatalf("find by another case = %+v, %v", found, err)
	}
	// The database itself refuses a second spelling.
	_, err = db.Pool.Exec(ctx, `INSERT INTO subscribers (email, token) VALUES ('VICTIM@example.org', 'tok-x')`)
	if err == nil || !strings.Contains(err.Error(), "subscribers_email_fold_key") {
		t.Fatalf("insert of another case: %v, want the folded unique index to refuse it", err)
	}
}

// A blocklisted address stays blocklisted when an import names it in
// another case, and no second row appears.
func TestImportOtherCaseStaysBlocklisted(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	importCSV(t, db, "weekly", "email,name,status\nblk@example.org,Blk,blocklisted\n")
	res := importCSV(t, db, "weekly", "email,name\nBLK@example.org,Blk\nnew@example.org,New\n")
	if res.Imported != 2 || res.Created != 1 || res.Skipped != 0 {
		t.Fatalf("result %+v; want 2 imported, 1 created", res)
	}
	found, err := db.FindSubscribers(ctx, "Blk@Example.org", 0, 1)
	if err != nil || len(found) != 1 || found[0].Status != bulletin.SubscriberBlocklisted || found[0].Email != "blk@example.org" {
		t.Fatalf("blk = %+v, %v; want one blocklisted blk@example.org", found, err)
	}
	if got := strings.Join(receivers(t, db, "weekly"), " "); got != "new@example.org" {
		t.Fatalf("receivers = %q", got)
	}
	// The same file naming one address twice in two cases: the last wins.
	res = importCSV(t, db, "weekly", "email,name\ntwo@example.org,First\nTWO@example.org,Second\n")
	if res.Imported != 1 || res.Created != 1 || res.Skipped != 1 {
		t.Fatalf("result %+v; want 1 imported, 1 skipped", res)
	}
}

// Migration 0060 merges rows that differ only by case into the oldest:
// the strictest status, the strictest membership per list, one delivery
// per issue, and the merged rows' tokens keep working.
func TestMigrationMergesCaseDuplicates(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewEmpty(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := fstest.MapFS{}
	err = fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") || path >= "0060" {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		before[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, before, nil); err != nil {
		t.Fatal(err)
	}
	// ann: active (oldest), Ann unsubscribed, ANN bounced with a name.
	// bob: active, BOB active. cy: alone.
	_, err = db.Pool.Exec(ctx, `
		INSERT INTO lists (slug, name) VALUES ('a', 'A'), ('b', 'B');
		INSERT INTO newsletters (slug, name) VALUES ('weekly', 'Weekly');
		INSERT INTO issues (newsletter_id, number, status) SELECT id, n, 'sent' FROM newsletters, generate_series(1, 2) n;
		INSERT INTO subscribers (id, email, name, status, token, hard_bounces) VALUES
			(1, 'ann@example.org', '', 'active', 't1', 0),
			(2, 'Ann@example.org', '', 'unsubscribed', 't2', 1),
			(3, 'ANN@example.org', 'Ann', 'bounced', 't3', 2),
			(4, 'bob@example.org', 'Bob', 'active', 't4', 0),
			(5, 'BOB@example.org', 'Robert', 'active', 't5', 0),
			(6, 'cy@example.org', 'Cy', 'active', 't6', 0);
		INSERT INTO subscriptions (list_id, subscriber_id, status) VALUES
			((SELECT id FROM lists WHERE slug = 'a'), 1, 'active'),
			((SELECT id FROM lists WHERE slug = 'a'), 2, 'unsubscribed'),
			((SELECT id FROM lists WHERE slug = 'b'), 3, 'pending'),
			((SELECT id FROM lists WHERE slug = 'a'), 4, 'pending'),
			((SELECT id FROM lists WHERE slug = 'a'), 5, 'active'),
			((SELECT id FROM lists WHERE slug = 'b'), 5, 'active'),
			((SELECT id FROM lists WHERE slug = 'a'), 6, 'active');
		INSERT INTO deliveries (issue_id, subscriber_id, status)
			SELECT i.id, s.id, 'sent' FROM issues i, subscribers s WHERE i.number = 1 AND s.id IN (4, 5, 6);
		INSERT INTO deliveries (issue_id, subscriber_id, status)
			SELECT i.id, 5, 'sent' FROM issues i WHERE i.number = 2;`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx, migrations.FS, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool.Query(ctx, `SELECT s.id || ' ' || s.email || ' ' || s.name || ' ' || s.status || ' ' || s.hard_bounces || ' ' ||
			coalesce((SELECT string_agg(l.slug || '=' || x.status, ',' ORDER BY l.slug) FROM subscriptions x JOIN lists l ON l.id = x.list_id
				WHERE x.subscriber_id = s.id), '') || ' ' ||
			coalesce((SELECT string_agg(i.number::text, ',' ORDER BY i.number) FROM deliveries d JOIN issues i ON i.id = d.issue_id
				WHERE d.subscriber_id = s.id), '')
		FROM subscribers s ORDER BY s.id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		got = append(got, line)
	}
	want := []string{
		"1 ann@example.org Ann bounced 3 a=unsubscribed,b=pending ",
		"4 bob@example.org Bob active 0 a=active,b=active 1,2",
		"6 cy@example.org Cy active 0 a=active 1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after the merge:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var total, orphans int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE subscriber_id IS NULL) FROM deliveries`).Scan(&total, &orphans); err != nil {
		t.Fatal(err)
	}
	if total != 4 || orphans != 1 {
		t.Fatalf("%d deliveries, %d without subscriber; want the 4 kept, 1 (bob's second copy of issue 1) without", total, orphans)
	}
	for tok, id := range map[string]int64{"t1": 1, "t2": 1, "t3": 1, "t5": 4, "t6": 6} {
		s, err := db.FindSubscriberByToken(ctx, tok)
		if err != nil || s.ID != id {
			t.Errorf("token %s: %+v, %v; want subscriber %d", tok, s, err, id)
		}
	}
	if _, err := db.Unsubscribe(ctx, "t5"); err != nil {
		t.Fatalf("unsubscribe by a merged row's token: %v", err)
	}
	if s, _ := db.FindSubscriberByID(ctx, 4); s.Status != bulletin.SubscriberUnsubscribed {
		t.Fatalf("bob after unsubscribing by t5: %+v", s)
	}
}

// A re-submitted form mails the link already sent, not a new one, while it
// is unexpired; an expired link is replaced.
func TestSubscribeAgainKeepsUnexpiredToken(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	req := bulletin.SubscribeRequest{List: "weekly", Email: "ann@example.org", Method: bulletin.ConsentForm, Public: true}
	r1, err := db.Subscribe(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := db.Subscribe(ctx, req)
	if err != nil || r2.ConfirmToken != r1.ConfirmToken || r2.Status != bulletin.SubscriptionPending {
		t.Fatalf("second subscribe: %+v, %v; want the first token again", r2, err)
	}
	db.Pool.Exec(ctx, `UPDATE subscriptions SET confirm_expires_at = now() - interval '1 minute'`)
	r3, err := db.Subscribe(ctx, req)
	if err != nil || r3.ConfirmToken == "" || r3.ConfirmToken == r1.ConfirmToken {
		t.Fatalf("subscribe after expiry: %+v, %v; want a fresh token", r3, err)
	}
	if _, err := db.ConfirmSubscription(ctx, r3.ConfirmToken, ""); err != nil {
		t.Fatalf("confirm the fresh link: %v", err)
	}
}

// Someone who left is not put back on an admin's word: a confirmed add,
// or an API add to a single opt-in list, is refused and changes nothing.
// An add that mails a confirmation link is still possible.
func TestAdminCannotResubscribeWhoLeft(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "double", false, true)
	mustList(t, db, "single", false, false)
	r, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "double", Email: "gone@example.org", Method: bulletin.ConsentAdmin, Confirmed: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Unsubscribe(ctx, r.Subscriber.Token); err != nil {
		t.Fatal(err)
	}
	state := func() string {
		var out string
		db.Pool.QueryRow(ctx, `SELECT s.status || ' ' || s.name || ' ' || string_agg(x.status, ',' ORDER BY x.list_id)
			FROM subscribers s JOIN subscriptions x ON x.subscriber_id = s.id GROUP BY s.id`).Scan(&out)
		return out
	}
	before := state()
	for _, req := range []bulletin.SubscribeRequest{
		{List: "double", Email: "GONE@example.org", Name: "New Name", Method: bulletin.ConsentAdmin, Confirmed: true},
		{List: "single", Email: "gone@example.org", Name: "New Name", Method: bulletin.ConsentAPI},
		{List: "single", Email: "gone@example.org", Method: bulletin.ConsentAdmin, Confirmed: true},
	} {
		_, err := db.Subscribe(ctx, req)
		wantCode(t, err, bulletin.EUNPROCESSABLE)
		if err != nil && !strings.Contains(err.Error(), "unsubscribed") {
			t.Errorf("%+v: %v; want the error to say why", req, err)
		}
		if got := state(); got != before {
			t.Fatalf("a refused add changed %q to %q", before, got)
		}
	}
	// A bounced address is refused too.
	db.Pool.Exec(ctx, `UPDATE subscribers SET status = 'bounced'`)
	_, err = db.Subscribe(ctx, bulletin.SubscribeRequest{List: "double", Email: "gone@example.org", Method: bulletin.ConsentAdmin, Confirmed: true})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	// Left one list only (the subscriber is still active elsewhere): that
	// list is refused as well.
	db.Pool.Exec(ctx, `UPDATE subscribers SET status = 'active'`)
	db.Pool.Exec(ctx, `UPDATE subscriptions SET status = 'active' FROM lists l WHERE l.id = list_id AND l.slug = 'single'`)
	db.Pool.Exec(ctx, `INSERT INTO subscriptions (list_id, subscriber_id, status) SELECT l.id, s.id, 'active' FROM lists l, subscribers s WHERE l.slug = 'single'`)
	_, err = db.Subscribe(ctx, bulletin.SubscribeRequest{List: "double", Email: "gone@example.org", Method: bulletin.ConsentAdmin, Confirmed: true})
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	// Unconfirmed on a double opt-in list: a confirmation link goes out.
	r, err = db.Subscribe(ctx, bulletin.SubscribeRequest{List: "double", Email: "gone@example.org", Method: bulletin.ConsentAPI})
	if err != nil || r.ConfirmToken == "" || r.Status != bulletin.SubscriptionPending {
		t.Fatalf("unconfirmed add: %+v, %v; want a pending subscription and a link", r, err)
	}
}

// An imported subscriber's token leads with its id and is found through
// the primary key; a token with the right id and the wrong secret is not.
func TestImportedTokenFoundByID(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	importCSV(t, db, "weekly", "email,name\nimp@example.org,Imp\n")
	found, err := db.FindSubscribers(ctx, "imp@example.org", 0, 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("find: %+v %v", found, err)
	}
	s := found[0].Subscriber
	if len(s.Token) != 34 || !strings.HasPrefix(s.Token, fmt.Sprintf("%012x", s.ID)) {
		t.Fatalf("token %q for id %d: want 12 hex digits of the id, then 22 random characters", s.Token, s.ID)
	}
	forged := s.Token[:12] + strings.Repeat("A", 22)
	_, err = db.FindSubscriberByToken(ctx, forged)
	wantCode(t, err, bulletin.ENOTFOUND)
	if _, err := db.Unsubscribe(ctx, forged); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("unsubscribe with a forged token: %v", err)
	}
	got, err := db.Unsubscribe(ctx, s.Token)
	if err != nil || got.ID != s.ID || got.Status != bulletin.SubscriberUnsubscribed {
		t.Fatalf("unsubscribe with the imported token: %+v %v", got, err)
	}
	if p, err := db.FindPreferences(ctx, s.Token); err != nil || p.Subscriber.ID != s.ID {
		t.Fatalf("preferences with the imported token: %+v %v", p, err)
	}
}
