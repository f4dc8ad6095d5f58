package delivery_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/delivery"
	"bulletin/internal/pgtest"
)

// The message that reaches a real SMTP server carries the counted links
// (the same for everyone), the personal unsubscribe link untouched, and
// the pixel only when the newsletter counts opens; the stored snapshot,
// which the archive serves, keeps the original links.
func TestSentMessageHasCountedLinks(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	issue := seed(t, db, 2)
	db.LinkBase = "https://news.example.org"
	build := func(nl *bulletin.Newsletter, is *bulletin.Issue, _ []bulletin.Section, _ []bulletin.Item) (*bulletin.Issue, error) {
		return &bulletin.Issue{Subject: "Links", HTML: `<html><body><p>Hi ` + bulletin.PlaceholderName +
			`</p><a href="https://example.org/story">Story</a> <a href="` + bulletin.PlaceholderUnsubscribeURL + `">Unsubscribe</a></body></html>`,
			Text: "Story: https://example.org/story\nUnsubscribe: " + bulletin.PlaceholderUnsubscribeURL + "\n"}, nil
	}
	if _, err := db.RerenderIssue(ctx, "weekly", 1, build); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE newsletters SET count_opens = true`); err != nil {
		t.Fatal(err)
	}
	s := newSink(t)
	svc := &delivery.Service{Store: db, Transport: transport(s), Config: fastConfig(), Log: testLog(t)}
	if _, err := svc.SendTest(ctx, "weekly", 1, "editor@example.net"); err != nil {
		t.Fatal(err)
	}
	raw := s.Last("editor@example.net")
	data := readable(t, raw)
	link := fmt.Sprintf("https://news.example.org/r/%d/1", issue)
	for _, want := range []string{`href="` + link + `"`, "Story: " + link, fmt.Sprintf(`src="https://news.example.org/o/%d.gif"`, issue),
		"https://news.example.org/unsubscribe/"} {
		if !strings.Contains(data, want) {
			t.Errorf("sent message lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(data, "https://example.org/story") {
		t.Error("sent message still has the original link")
	}
	var html string
	if err := db.Pool.QueryRow(ctx, `SELECT html FROM issues WHERE id = $1`, issue).Scan(&html); err != nil || !strings.Contains(html, `href="https://example.org/story"`) {
		t.Errorf("stored snapshot lost the original link (%v): %s", err, html)
	}
}
