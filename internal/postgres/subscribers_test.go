package postgres_test

import (
	"context"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

func mustList(t testing.TB, db *postgres.DB, slug string, public, double bool) *bulletin.List {
	t.Helper()
	l := &bulletin.List{Slug: slug, Name: "List " + slug, Public: public, DoubleOptin: double}
	if err := db.CreateList(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	return l
}

// receivers is what the delivery fan-out selects: active subscribers with
// an active subscription to the list.
func receivers(t *testing.T, db *postgres.DB, slug string) []string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT s.email FROM subscribers s
		JOIN subscriptions x ON x.subscriber_id = s.id JOIN lists l ON l.id = x.list_id
		WHERE l.slug = $1 AND s.status = 'active' AND x.status = 'active' ORDER BY s.email`, slug)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		rows.Scan(&e)
		out = append(out, e)
	}
	return out
}

func TestListsCRUD(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	l := mustList(t, db, "weekly", true, true)
	wantCode(t, db.CreateList(ctx, &bulletin.List{Slug: "weekly", Name: "again"}), bulletin.ECONFLICT)
	wantCode(t, db.CreateList(ctx, &bulletin.List{Slug: "Bad Slug", Name: "x"}), bulletin.EINVALID)
	wantCode(t, db.CreateList(ctx, &bulletin.List{Slug: "noname"}), bulletin.EINVALID)
	wantCode(t, db.CreateList(ctx, &bulletin.List{Slug: "crlf", Name: "a\r\nBcc: x@example.org"}), bulletin.EINVALID)
	ls, err := db.FindLists(ctx)
	if err != nil || len(ls) != 1 || ls[0].ID != l.ID {
		t.Fatalf("FindLists = %v, %v", ls, err)
	}
	name, off := "Renamed", false
	got, err := db.UpdateList(ctx, "weekly", bulletin.ListUpdate{Name: &name, DoubleOptin: &off})
	if err != nil || got.Name != "Renamed" || got.DoubleOptin || !got.Public {
		t.Fatalf("UpdateList = %+v, %v", got, err)
	}
	empty := ""
	_, err = db.UpdateList(ctx, "weekly", bulletin.ListUpdate{Name: &empty})
	wantCode(t, err, bulletin.EINVALID)
	if again, _ := db.FindListBySlug(ctx, "weekly"); again.Name != "Renamed" {
		t.Fatalf("a rejected update changed the list: %+v", again)
	}
	_, err = db.UpdateList(ctx, "nope", bulletin.ListUpdate{Name: &name})
	wantCode(t, err, bulletin.ENOTFOUND)
	if err := db.DeleteList(ctx, "weekly"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeleteList(ctx, "weekly"), bulletin.ENOTFOUND)
	_, err = db.FindListBySlug(ctx, "weekly")
	wantCode(t, err, bulletin.ENOTFOUND)
}

func TestDoubleOptIn(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	req := bulletin.SubscribeRequest{List: "weekly", Email: " Ann@Example.ORG ", Name: "Ann", Method: bulletin.ConsentForm, IP: "192.0.2.7", Public: true}
	r1, err := db.Subscribe(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Created || r1.Status != "pending" || r1.ConfirmToken == "" || r1.Subscriber.Email != "Ann@example.org" || r1.Subscriber.Status != "pending" {
		t.Fatalf("first subscribe: %+v %+v", r1, r1.Subscriber)
	}
	if len(r1.Subscriber.Token) < 22 || r1.Subscriber.Token == r1.ConfirmToken {
		t.Fatalf("tokens: %q %q", r1.Subscriber.Token, r1.ConfirmToken)
	}
	if got := receivers(t, db, "weekly"); len(got) != 0 {
		t.Fatalf("a pending address receives issues: %v", got)
	}
	// Again (someone typed it twice, in another case): the same row and the
	// same, still unexpired token, mailed again, so the link in the first
	// email keeps working; someone else's name does not overwrite.
	req.Name, req.Email = "Mallory", "ann@example.org"
	r2, err := db.Subscribe(ctx, req)
	if err != nil || r2.Created || r2.Subscriber.ID != r1.Subscriber.ID || r2.ConfirmToken != r1.ConfirmToken || r2.Subscriber.Name != "Ann" {
		t.Fatalf("second subscribe: %+v %v", r2, err)
	}
	c, err := db.ConfirmSubscription(ctx, r1.ConfirmToken, "198.51.100.9")
	if err != nil || c.Status != "active" || c.Subscriber.Status != "active" || c.List.Slug != "weekly" {
		t.Fatalf("confirm: %+v %v", c, err)
	}
	if got := receivers(t, db, "weekly"); len(got) != 1 || got[0] != "Ann@example.org" {
		t.Fatalf("receivers = %v", got)
	}
	var method, ip, cip string
	db.Pool.QueryRow(ctx, `SELECT consent_method, host(consent_ip), host(confirm_ip) FROM subscriptions`).Scan(&method, &ip, &cip)
	if method != "form" || ip != "192.0.2.7" || cip != "198.51.100.9" {
		t.Fatalf("consent record: %q %q %q", method, ip, cip)
	}
	// A second click on the link is fine and changes nothing.
	if c, err := db.ConfirmSubscription(ctx, r1.ConfirmToken, ""); err != nil || c.Status != "active" {
		t.Fatalf("second confirm: %+v %v", c, err)
	}
	// Subscribing an active address sends nothing.
	r3, err := db.Subscribe(ctx, req)
	if err != nil || r3.ConfirmToken != "" || r3.Status != "active" {
		t.Fatalf("subscribe when active: %+v %v", r3, err)
	}
	wantCode(t, func() error {
		_, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "nope", Email: "x@example.org"})
		return err
	}(), bulletin.ENOTFOUND)
	wantCode(t, func() error {
		_, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly", Email: "Ann <x@example.org>"})
		return err
	}(), bulletin.EINVALID)
}

func TestConfirmExpired(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	r, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly", Email: "late@example.org", Method: "form"})
	if err != nil {
		t.Fatal(err)
	}
	db.Pool.Exec(ctx, `UPDATE subscriptions SET confirm_expires_at = now() - interval '1 minute'`)
	_, err = db.ConfirmSubscription(ctx, r.ConfirmToken, "")
	wantCode(t, err, bulletin.EUNPROCESSABLE)
	var sub, subr string
	db.Pool.QueryRow(ctx, `SELECT x.status, s.status FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id`).Scan(&sub, &subr)
	if sub != "pending" || subr != "pending" {
		t.Fatalf("expired confirm changed state: %s %s", sub, subr)
	}
	// Subscribing again mails a new link that works.
	r2, _ := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly", Email: "late@example.org", Method: "form"})
	if _, err := db.ConfirmSubscription(ctx, r2.ConfirmToken, ""); err != nil {
		t.Fatal(err)
	}
}

func TestSingleOptInAndAdminConfirmed(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "open", true, false)
	mustList(t, db, "private", false, true)
	r, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "open", Email: "bo@example.com", Method: "form", Public: true})
	if err != nil || r.Status != "active" || r.ConfirmToken != "" || r.Subscriber.Status != "active" {
		t.Fatalf("single opt-in: %+v %v", r, err)
	}
	// The public form cannot reach a private list.
	_, err = db.Subscribe(ctx, bulletin.SubscribeRequest{List: "private", Email: "bo@example.com", Method: "form", Public: true})
	wantCode(t, err, bulletin.ENOTFOUND)
	r, err = db.Subscribe(ctx, bulletin.SubscribeRequest{List: "private", Email: "cy@example.com", Method: "admin", Confirmed: true})
	if err != nil || r.Status != "active" || r.ConfirmToken != "" {
		t.Fatalf("admin confirmed: %+v %v", r, err)
	}
	if got := receivers(t, db, "private"); len(got) != 1 {
		t.Fatalf("receivers = %v", got)
	}
}

func TestUnsubscribeAllListsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "a", true, false)
	mustList(t, db, "b", true, true)
	r, _ := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "a", Email: "dee@example.net", Method: "form"})
	rb, _ := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "b", Email: "dee@example.net", Method: "form"})
	for i := 0; i < 2; i++ {
		s, err := db.Unsubscribe(ctx, r.Subscriber.Token)
		if err != nil || s.Status != "unsubscribed" {
			t.Fatalf("unsubscribe #%d: %+v %v", i, s, err)
		}
	}
	if got := receivers(t, db, "a"); len(got) != 0 {
		t.Fatalf("still receiving: %v", got)
	}
	var n int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM subscriptions WHERE status <> 'unsubscribed' OR unsubscribed_at IS NULL`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d memberships not unsubscribed", n)
	}
	// The old confirmation link must not bring the address back.
	_, err := db.ConfirmSubscription(ctx, rb.ConfirmToken, "")
	wantCode(t, err, bulletin.ENOTFOUND)
	_, err = db.Unsubscribe(ctx, "AAAAAAAAAAAAAAAAAAAAAA")
	wantCode(t, err, bulletin.ENOTFOUND)
}

func TestBlockedAddressesStayBlocked(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "open", true, false)
	for _, st := range []string{"bounced", "blocklisted"} {
		r, _ := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "open", Email: st + "@example.org", Method: "form"})
		db.Pool.Exec(ctx, `UPDATE subscribers SET status = $1 WHERE id = $2`, st, r.Subscriber.ID)
		_, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "open", Email: st + "@example.org", Method: "form"})
		wantCode(t, err, bulletin.EUNPROCESSABLE)
		if _, err := db.SavePreferences(ctx, r.Subscriber.Token, bulletin.PreferencesUpdate{Lists: []string{"open"}}); err != nil {
			t.Fatal(err)
		}
		s, _ := db.FindSubscriberByID(ctx, r.Subscriber.ID)
		if s.Status != st {
			t.Fatalf("%s became %s", st, s.Status)
		}
	}
	if got := receivers(t, db, "open"); len(got) != 0 {
		t.Fatalf("blocked addresses receive: %v", got)
	}
}

func TestPreferences(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "a", true, true)
	mustList(t, db, "b", true, true)
	mustList(t, db, "hidden", false, false)
	mustList(t, db, "staff", false, false)
	r, _ := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "a", Email: "eve@example.org", Method: "admin", Confirmed: true})
	db.Subscribe(ctx, bulletin.SubscribeRequest{List: "staff", Email: "eve@example.org", Method: "admin", Confirmed: true})
	p, err := db.FindPreferences(ctx, r.Subscriber.Token)
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, m := range p.Lists {
		shown = append(shown, m.List.Slug+"="+m.Status)
	}
	if got := strings.Join(shown, " "); got != "a=active b= staff=active" {
		t.Fatalf("preference lists = %q", got)
	}
	// A list the page never offered: refused, nothing saved.
	_, err = db.SavePreferences(ctx, r.Subscriber.Token, bulletin.PreferencesUpdate{Name: "Eve", Lists: []string{"b", "hidden"}})
	wantCode(t, err, bulletin.EINVALID)
	_, err = db.SavePreferences(ctx, r.Subscriber.Token, bulletin.PreferencesUpdate{Name: "Eve\r\nBcc: x", Lists: []string{"b"}})
	wantCode(t, err, bulletin.EINVALID)
	if got := receivers(t, db, "b"); len(got) != 0 {
		t.Fatalf("rejected save subscribed: %v", got)
	}
	p, err = db.SavePreferences(ctx, r.Subscriber.Token, bulletin.PreferencesUpdate{Name: "Eve", Lists: []string{"b", "staff"}, IP: "2001:db8::1"})
	if err != nil || p.Subscriber.Name != "Eve" {
		t.Fatalf("save: %+v %v", p, err)
	}
	if len(receivers(t, db, "a")) != 0 || len(receivers(t, db, "b")) != 1 || len(receivers(t, db, "staff")) != 1 {
		t.Fatalf("receivers a=%v b=%v staff=%v", receivers(t, db, "a"), receivers(t, db, "b"), receivers(t, db, "staff"))
	}
	// Choosing nothing is unsubscribing from everything.
	p, err = db.SavePreferences(ctx, r.Subscriber.Token, bulletin.PreferencesUpdate{Name: "Eve"})
	if err != nil || p.Subscriber.Status != "unsubscribed" {
		t.Fatalf("save nothing: %+v %v", p, err)
	}
	// And choosing a list again brings the subscriber back.
	p, _ = db.SavePreferences(ctx, r.Subscriber.Token, bulletin.PreferencesUpdate{Lists: []string{"a"}})
	if p.Subscriber.Status != "active" || len(receivers(t, db, "a")) != 1 {
		t.Fatalf("resubscribe via preferences: %+v", p.Subscriber)
	}
}

func TestEraseKeepsDeliveryCounts(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "a", true, false)
	r, _ := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "a", Email: "gone@example.org", Name: "Gone", Method: "form"})
	_, err := db.Pool.Exec(ctx, `WITH n AS (INSERT INTO newsletters (slug, name) VALUES ('nl', 'NL') RETURNING id),
		i AS (INSERT INTO issues (newsletter_id, number) SELECT id, 1 FROM n RETURNING id)
		INSERT INTO deliveries (issue_id, subscriber_id, status) SELECT id, $1, 'sent' FROM i`, r.Subscriber.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EraseSubscriber(ctx, r.Subscriber.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.EraseSubscriber(ctx, r.Subscriber.ID), bulletin.ENOTFOUND)
	var subs, memberships, deliveries int
	db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM subscribers), (SELECT count(*) FROM subscriptions),
		(SELECT count(*) FROM deliveries WHERE status = 'sent' AND subscriber_id IS NULL)`).Scan(&subs, &memberships, &deliveries)
	if subs != 0 || memberships != 0 || deliveries != 1 {
		t.Fatalf("after erase: subscribers %d, subscriptions %d, anonymous sent deliveries %d", subs, memberships, deliveries)
	}
	found, err := db.FindSubscribers(ctx, "gone@example.org", 0, 10)
	if err != nil || len(found) != 0 {
		t.Fatalf("erased subscriber still found: %v %v", found, err)
	}
}

func TestAttachListToDefaultNewsletter(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	for i := 0; i < 2; i++ {
		if err := db.AttachListToDefaultNewsletter(ctx, "weekly"); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	db.Pool.QueryRow(ctx, `SELECT count(*) FROM newsletter_lists nl JOIN newsletters n ON n.id = nl.newsletter_id WHERE n.is_default`).Scan(&n)
	if n != 1 {
		t.Fatalf("attached %d times", n)
	}
}
