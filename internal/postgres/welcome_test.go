package postgres_test

import (
	"context"
	"encoding/json"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// welcomes lists the addresses with a welcome email queued.
func welcomes(t *testing.T, db *postgres.DB) []string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT payload FROM mail_queue WHERE kind = $1 ORDER BY id`, bulletin.MailWelcome)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b []byte
		var p bulletin.WelcomeMail
		if err := rows.Scan(&b); err != nil || json.Unmarshal(b, &p) != nil {
			t.Fatalf("welcome payload: %v", err)
		}
		out = append(out, p.Email)
	}
	return out
}

// A reader's own sign-up on the public form is welcomed once: at once on a
// single opt-in list, on confirming on a double opt-in one. Additions by
// an admin or the API never are, not even once confirmed.
func TestWelcomeOnlyForReadersOwnSignUp(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	fixture.List(t, db, &bulletin.List{Slug: "open", Name: "Open", Public: true})
	fixture.List(t, db, &bulletin.List{Slug: "double", Name: "Double", Public: true, DoubleOptin: true})
	form := func(list, email string) *bulletin.SubscribeResult {
		t.Helper()
		res, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: list, Email: email, Method: bulletin.ConsentForm, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	form("open", "single@example.org")
	form("open", "single@example.org") // already active: no second welcome
	if _, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "open", Email: "byapi@example.org", Method: bulletin.ConsentAPI}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddSubscriber(ctx, bulletin.SubscribeRequest{List: "open", Email: "byadmin@example.org", Method: bulletin.ConsentAdmin, Confirmed: true}, nil); err != nil {
		t.Fatal(err)
	}
	pending := form("double", "double@example.org")
	if got := welcomes(t, db); len(got) != 1 || got[0] != "single@example.org" {
		t.Fatalf("welcomes before confirming %v, want only single@example.org", got)
	}
	if _, err := db.ConfirmSubscription(ctx, pending.ConfirmToken, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ConfirmSubscription(ctx, pending.ConfirmToken, "192.0.2.1"); err != nil { // a second click
		t.Fatal(err)
	}
	apiPending, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "double", Email: "apidouble@example.org", Method: bulletin.ConsentAPI})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ConfirmSubscription(ctx, apiPending.ConfirmToken, ""); err != nil {
		t.Fatal(err)
	}
	got := welcomes(t, db)
	if len(got) != 2 || got[1] != "double@example.org" {
		t.Fatalf("welcomes %v, want single@ and double@ (once each), none for the API's or admin's additions", got)
	}
}

// A newsletter that switched welcome emails off gets none for its lists.
func TestWelcomeSwitchedOff(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	fixture.List(t, db, &bulletin.List{Slug: "open", Name: "Open", Public: true})
	if _, err := db.Pool.Exec(ctx, `INSERT INTO newsletter_lists (newsletter_id, list_id)
		SELECT n.id, l.id FROM newsletters n, lists l WHERE l.slug = 'open' ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE newsletters SET welcome_email = false`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "open", Email: "quiet@example.org", Method: bulletin.ConsentForm, Public: true}); err != nil {
		t.Fatal(err)
	}
	if got := welcomes(t, db); len(got) != 0 {
		t.Fatalf("welcomes %v with the switch off, want none", got)
	}
}
