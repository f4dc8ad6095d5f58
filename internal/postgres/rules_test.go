package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// Rules of the list, subscriber and newsletter services, tested once here
// for the API, the admin pages and the command line alike.

func TestOnlyAdminsAddConfirmedSubscribers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "readers", false, true)
	c := mustUser(t, db, "c@example.org", bulletin.RoleContributor)
	ad := mustUser(t, db, "ad@example.org", bulletin.RoleAdmin)

	_, err := db.AddSubscriber(ctx, bulletin.SubscribeRequest{List: "readers", Email: "ann@example.org", Confirmed: true}, c)
	wantCode(t, err, bulletin.EFORBIDDEN)
	if got := receivers(t, db, "readers"); len(got) != 0 {
		t.Fatalf("refused request added %v", got)
	}
	// A contributor's addition waits for the address to confirm.
	r, err := db.AddSubscriber(ctx, bulletin.SubscribeRequest{List: "readers", Email: "ann@example.org"}, c)
	if err != nil || r.Status != bulletin.SubscriberPending || r.ConfirmToken == "" {
		t.Fatalf("contributor's addition = %+v, %v", r, err)
	}
	// An admin's, and the operator's, may be confirmed at once.
	for _, by := range []*bulletin.User{ad, nil} {
		email := "bo@example.org"
		if by == nil {
			email = "cy@example.org"
		}
		r, err := db.AddSubscriber(ctx, bulletin.SubscribeRequest{List: "readers", Email: email, Confirmed: true}, by)
		if err != nil || r.Status != bulletin.SubscriberActive || r.ConfirmToken != "" {
			t.Fatalf("confirmed addition by %v = %+v, %v", by, r, err)
		}
	}
	if got := receivers(t, db, "readers"); len(got) != 2 {
		t.Fatalf("receivers = %v", got)
	}
}

func TestNewsletterSlugNeverChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	_, err := db.UpdateNewsletter(ctx, "weekly", bulletin.NewsletterUpdate{Slug: ptr("renamed"), Name: ptr("Renamed")})
	wantCode(t, err, bulletin.EINVALID)
	n, err := db.FindNewsletterBySlug(ctx, "weekly")
	if err != nil || n.Name == "Renamed" {
		t.Fatalf("refused update changed the newsletter: %+v, %v", n, err)
	}
	// Sending the current slug back, as clients that PATCH what they read do, is fine.
	if n, err = db.UpdateNewsletter(ctx, "weekly", bulletin.NewsletterUpdate{Slug: ptr("weekly"), Name: ptr("Renamed")}); err != nil || n.Name != "Renamed" {
		t.Fatalf("update with the same slug = %+v, %v", n, err)
	}
}
