package postgres_test

import (
	"context"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// Each way of leaving records how, in one vocabulary; joining again clears it.
func TestUnsubscribedHow(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.CreateList(ctx, &bulletin.List{Slug: "weekly", Name: "Weekly", Public: true}); err != nil {
		t.Fatal(err)
	}
	join := func(email string) *bulletin.Subscriber {
		t.Helper()
		res, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly", Email: email, Method: "admin", Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Subscriber
	}
	how := func(email string) string {
		t.Helper()
		var h *string
		if err := db.Pool.QueryRow(ctx, `SELECT x.unsubscribed_how FROM subscriptions x JOIN subscribers s ON s.id = x.subscriber_id
			WHERE s.email = $1`, email).Scan(&h); err != nil {
			t.Fatal(err)
		}
		if h == nil {
			return ""
		}
		return *h
	}
	link := join("link@example.org")
	if _, err := db.Unsubscribe(ctx, link.Token); err != nil {
		t.Fatal(err)
	}
	prefs := join("prefs@example.org")
	if _, err := db.SavePreferences(ctx, prefs.Token, bulletin.PreferencesUpdate{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportSubscribers(ctx, "weekly", strings.NewReader("email,name,status\nimported@example.org,Imp,unsubscribed\n"), bulletin.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for email, want := range map[string]string{"link@example.org": "link", "prefs@example.org": "preferences", "imported@example.org": "import"} {
		if got := how(email); got != want {
			t.Errorf("%s left by %q, want %q", email, got, want)
		}
	}
	// Coming back takes the reader's own act (the public form on this
	// single opt-in list); an admin cannot put them back.
	if _, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "weekly", Email: "link@example.org", Method: bulletin.ConsentForm}); err != nil {
		t.Fatal(err)
	}
	if got := how("link@example.org"); got != "" {
		t.Errorf("joined again, still marked as left by %q", got)
	}
}
