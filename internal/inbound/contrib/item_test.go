package contrib

import (
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

func TestItem(t *testing.T) {
	c, err := Parse(crlf("From: ann@example.org\nSubject: Re: A *fast* cache\n\nIt is **fast**.\n\nhttps://example.org/cache\n"))
	if err != nil {
		t.Fatal(err)
	}
	it, reason, err := c.Item("weekly")
	if err != nil || reason != "" {
		t.Fatalf("refused: %s (%v)", reason, err)
	}
	if it.Title != "A *fast* cache" || it.URL != "https://example.org/cache" || it.Kind != bulletin.KindArticle ||
		it.Status != bulletin.ItemSubmitted || it.Newsletter != "weekly" || !strings.Contains(it.BodyHTML, "<strong>fast</strong>") {
		t.Errorf("item = %+v", it)
	}

	link, _, err := Contribution{Title: "Just a link", URL: "https://example.org/x"}.Item("weekly")
	if err != nil || link.Kind != bulletin.KindLink {
		t.Errorf("link-only: kind %q, %v", link.Kind, err)
	}
}

// Every refusal comes with a sentence about the email, and no item.
func TestItemRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Contribution
		want string
	}{
		{"no subject", Contribution{Body: "text"}, "The subject line (the item's title) is empty"},
		{"subject too long", Contribution{Title: strings.Repeat("x", bulletin.MaxTitleLen+1)}, "The subject line (the item's title): 201 characters, at most 200 allowed."},
		{"markup in subject", Contribution{Title: "<b>Big</b> news"}, "without HTML tags"},
		{"body too large", Contribution{Title: "Long", Body: strings.Repeat("word ", bulletin.MaxBodyBytes/4)}, "The message text (the item's body):"},
		{"NUL in body", Contribution{Title: "T", Body: "a\x00b"}, "NUL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it, reason, err := tc.c.Item("weekly")
			if err == nil {
				t.Fatalf("accepted: %+v", it)
			}
			if !strings.Contains(reason, tc.want) {
				t.Errorf("reason %q, want %q", reason, tc.want)
			}
			if it != (bulletin.Item{}) {
				t.Errorf("item returned with a refusal: %+v", it)
			}
		})
	}
}
