package postgres_test

import (
	"context"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
)

// The brand is stored, read back by every reader of newsletters (the
// settings, the compile stage, the archive), and a refused one changes
// nothing.
func TestNewsletterBrandRoundTrip(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	nl, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logo, accent, org, addr := "https://example.org/logo.png", "#1A4F9C", "Parish Council", "1 High Street\r\nLittle Town"
	if _, err := db.UpdateNewsletter(ctx, nl.Slug, bulletin.NewsletterUpdate{LogoURL: &logo, AccentColor: &accent,
		OrgName: &org, OrgAddress: &addr}); err != nil {
		t.Fatal(err)
	}
	want := bulletin.Brand{LogoURL: logo, AccentColor: "#1a4f9c", OrgName: org, OrgAddress: "1 High Street\nLittle Town"}
	got, err := db.FindNewsletterBySlug(ctx, nl.Slug)
	if err != nil || got.Brand != want {
		t.Fatalf("stored brand %+v (%v), want %+v", got.Brand, err, want)
	}
	an, err := db.ArchiveNewsletter(ctx, nl.Slug)
	if err != nil || an.Brand != want {
		t.Fatalf("archive brand %+v (%v), want %+v", an.Brand, err, want)
	}
	scheduled := "0 9 * * MON"
	if _, err := db.UpdateNewsletter(ctx, nl.Slug, bulletin.NewsletterUpdate{Schedule: &scheduled}); err != nil {
		t.Fatal(err)
	}
	ns, err := db.FindScheduledNewsletters(ctx)
	if err != nil || len(ns) != 1 || ns[0].Brand != want {
		t.Fatalf("compile stage reads %+v (%v), want the brand", ns, err)
	}

	for _, bad := range []bulletin.NewsletterUpdate{
		{LogoURL: ptr("http://example.org/logo.png"), OrgName: ptr("Changed")},
		{AccentColor: ptr("#12345"), OrgName: ptr("Changed")},
		{OrgAddress: ptr("<script>alert(1)</script>"), OrgName: ptr("Changed")},
	} {
		if _, err := db.UpdateNewsletter(ctx, nl.Slug, bad); bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Fatalf("update %+v: %v, want EINVALID", bad, err)
		}
	}
	if got, _ := db.FindNewsletterBySlug(ctx, nl.Slug); got.Brand != want {
		t.Fatalf("refused updates changed the brand to %+v", got.Brand)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE newsletters SET logo_url = 'javascript:alert(1)'`); err == nil {
		t.Fatal("the table accepted a script URL as logo")
	}
}

// Switching the welcome email off through the service stops it; on again,
// it goes out.
func TestWelcomeSwitchThroughService(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	nl, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !nl.WelcomeEmail {
		t.Fatal("a new newsletter must send welcome emails")
	}
	fixture.List(t, db, &bulletin.List{Slug: "open", Name: "Open", Public: true})
	lists := []string{"open"}
	off := false
	if _, err := db.UpdateNewsletter(ctx, nl.Slug, bulletin.NewsletterUpdate{Lists: &lists, WelcomeEmail: &off}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.FindNewsletterBySlug(ctx, nl.Slug); got.WelcomeEmail {
		t.Fatal("welcome_email still on after switching it off")
	}
	join := func(email string) {
		t.Helper()
		if _, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "open", Email: email, Method: bulletin.ConsentForm, Public: true}); err != nil {
			t.Fatal(err)
		}
	}
	join("quiet@example.org")
	if got := welcomes(t, db); len(got) != 0 {
		t.Fatalf("welcomes %v with the switch off, want none", got)
	}
	on := true
	if _, err := db.UpdateNewsletter(ctx, nl.Slug, bulletin.NewsletterUpdate{WelcomeEmail: &on}); err != nil {
		t.Fatal(err)
	}
	join("loud@example.org")
	if got := welcomes(t, db); len(got) != 1 || got[0] != "loud@example.org" {
		t.Fatalf("welcomes %v with the switch on, want loud@example.org", got)
	}
}
