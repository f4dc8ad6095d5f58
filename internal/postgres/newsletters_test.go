package postgres_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

func TestEnsureDefaultNewsletter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	n1, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n2, err := db.EnsureDefaultNewsletter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n1.ID != n2.ID || n1.Slug != "weekly" || n1.Name != "Weekly update" || !n1.IsDefault {
		t.Fatalf("default newsletter %+v then %+v", n1, n2)
	}
	all, _ := db.FindNewsletters(ctx)
	if len(all) != 1 {
		t.Fatalf("%d newsletters after two starts", len(all))
	}
}

func TestNewsletters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	for _, slug := range []string{"staff", "public"} {
		if err := db.CreateList(ctx, &bulletin.List{Slug: slug, Name: slug}); err != nil {
			t.Fatal(err)
		}
	}
	n := &bulletin.Newsletter{Slug: "monthly", Name: "Monthly", FromEmail: "news@example.org",
		Schedule: "CRON_TZ=Europe/Berlin 0 17 * * TUE", SendDelay: 16 * time.Hour, Lists: []string{"staff", "public"}}
	if err := db.CreateNewsletter(ctx, n); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindNewsletterBySlug(ctx, "monthly")
	if err != nil || got.SendDelay != 16*time.Hour || len(got.Lists) != 2 || got.Lists[0] != "public" || got.Schedule != n.Schedule {
		t.Fatalf("FindNewsletterBySlug = %+v, %v", got, err)
	}
	wantCode(t, db.CreateNewsletter(ctx, &bulletin.Newsletter{Slug: "monthly", Name: "Again"}), bulletin.ECONFLICT)
	for _, bad := range []*bulletin.Newsletter{
		{Slug: "Bad Slug", Name: "x"},
		{Slug: "x", Name: ""},
		{Slug: "x", Name: "x", Schedule: "0 17 * * * *"},
		{Slug: "x", Name: "x", Schedule: "CRON_TZ=Not/AZone 0 17 * * 2"},
		{Slug: "x", Name: "x", FromEmail: "nope"},
		{Slug: "x", Name: "x", ReplyTo: "a@b.org\r\nBcc: c@d.org"},
		{Slug: "x", Name: "x", SendDelay: -time.Hour},
		{Slug: "x", Name: "x", Lists: []string{"nosuchlist"}},
		{Slug: "x", Name: "x", SubjectTemplate: "{{.Number"},
	} {
		wantCode(t, db.CreateNewsletter(ctx, bad), bulletin.EINVALID)
	}
	if _, err := db.FindNewsletterBySlug(ctx, "x"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("bad newsletter stored: %v", err)
	}

	up, err := db.UpdateNewsletter(ctx, "monthly", bulletin.NewsletterUpdate{Name: ptr("Monthly news"), Lists: &[]string{"staff"}, IsDefault: ptr(true)})
	if err != nil || up.Name != "Monthly news" || len(up.Lists) != 1 || !up.IsDefault {
		t.Fatalf("UpdateNewsletter = %+v, %v", up, err)
	}
	if d, _ := db.FindDefaultNewsletter(ctx); d.Slug != "monthly" {
		t.Fatalf("default is %s", d.Slug)
	}
	_, err = db.UpdateNewsletter(ctx, "monthly", bulletin.NewsletterUpdate{Schedule: ptr("every tuesday"), Name: ptr("Changed")})
	wantCode(t, err, bulletin.EINVALID)
	_, err = db.UpdateNewsletter(ctx, "monthly", bulletin.NewsletterUpdate{Lists: &[]string{"staff", "ghost"}})
	wantCode(t, err, bulletin.EINVALID)
	if got, _ := db.FindNewsletterBySlug(ctx, "monthly"); got.Name != "Monthly news" || len(got.Lists) != 1 {
		t.Fatalf("a refused update changed %+v", got)
	}
	_, err = db.UpdateNewsletter(ctx, "nope", bulletin.NewsletterUpdate{})
	wantCode(t, err, bulletin.ENOTFOUND)
}

func TestSections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	for _, s := range []string{"events", "news", "budgets"} {
		mustSection(t, db, "weekly", s)
	}
	first := &bulletin.Section{Slug: "top", Name: "Top", Position: 1}
	if err := db.CreateSection(ctx, "weekly", first); err != nil {
		t.Fatal(err)
	}
	wantOrder := func(want ...string) {
		t.Helper()
		ss, err := db.FindSections(ctx, "weekly")
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range ss {
			if i >= len(want) || s.Slug != want[i] || s.Position != i+1 {
				t.Fatalf("sections %v, want %v", slugsOf(ss), want)
			}
		}
	}
	wantOrder("top", "events", "news", "budgets")
	if _, err := db.UpdateSection(ctx, "weekly", "budgets", bulletin.SectionUpdate{Position: ptr(2), Name: ptr("Community Budgets")}); err != nil {
		t.Fatal(err)
	}
	wantOrder("top", "budgets", "events", "news")
	wantCode(t, db.CreateSection(ctx, "weekly", &bulletin.Section{Slug: "news", Name: "x"}), bulletin.ECONFLICT)
	wantCode(t, db.CreateSection(ctx, "weekly", &bulletin.Section{Slug: "a b", Name: "x"}), bulletin.EINVALID)
	wantCode(t, db.CreateSection(ctx, "nope", &bulletin.Section{Slug: "ab", Name: "x"}), bulletin.ENOTFOUND)
	_, err := db.UpdateSection(ctx, "weekly", "ghost", bulletin.SectionUpdate{})
	wantCode(t, err, bulletin.ENOTFOUND)
}

func slugsOf(ss []*bulletin.Section) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Slug)
	}
	return out
}
