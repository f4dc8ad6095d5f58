package render_test

import (
	"fmt"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/render"
	"bulletin/templates"
)

// fixture is the issue the golden files show: every kind of block once.
func fixture() render.Issue {
	d := time.Date(2026, 11, 18, 17, 0, 0, 0, time.UTC)
	return render.Issue{
		NewsletterName:  "Weekly update",
		Number:          61,
		Date:            d,
		Intro:           "Good afternoon. Here is what happened this week.\n\nThanks to everyone who contributed.",
		ArchiveURL:      "https://bulletin.example/archive/weekly/61",
		ArchiveIndexURL: "https://bulletin.example/archive/weekly/",
		ContributeURL:   "https://bulletin.example/contribute",
		PrivacyURL:      "https://bulletin.example/privacy/weekly",
		Brand: bulletin.Brand{LogoURL: "https://bulletin.example/logo.png?v=2&size=96", AccentColor: "#1a4f9c",
			OrgName: "Riverside Council", OrgAddress: "1 High Street\nRiverside RV1 2AB"},
		Items: []render.Item{
			{Section: "Community Budgets", Kind: "article", Title: "Ward budgets open for ideas",
				BodyHTML: `<p>Residents can propose projects until <strong>5 December</strong>.</p><script>alert(1)</script>`,
				URL:      "https://example.org/budgets?year=2027&ward=3", Source: "By Ana Ruiz, Parks Team"},
			{Section: "Community Budgets", Kind: "article", Title: "Results of the spring vote",
				BodyHTML: `<p>Twelve projects won funding; see the <a href="https://example.org/results">full list</a>.</p>`},
			{Section: "Events", Kind: "article", Title: "Repair café <on Saturday>",
				BodyHTML: `<p>Bring a broken toaster & a cake.</p>`, URL: "https://example.org/repair", Source: "Library volunteers"},
			{Section: "In the news", Kind: "link", Title: "City wins cycling award", URL: "https://news.example/cycling",
				Source: "The Gazette", Date: d.AddDate(0, 0, -2)},
			{Section: "In the news", Kind: "link", Title: "New bus timetable from January", URL: "https://news.example/bus",
				Source: "Transit Weekly", Date: d.AddDate(0, 0, -1)},
			{Kind: "article", Title: "the office plant survived another week", BodyHTML: "<p>Water it on Fridays.</p>", Closing: true},
		},
	}
}

// bigIssue has n items spread over five sections, a fifth of them links.
func bigIssue(n int) render.Issue {
	in := fixture()
	in.Items = nil
	for i := range n {
		it := render.Item{Section: fmt.Sprintf("Section %d", i*5/n), Kind: "article",
			Title:    fmt.Sprintf("Item number %d has a title of typical length", i+1),
			BodyHTML: "<p>" + fmt.Sprint(i) + " Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco.</p><p>Second paragraph with a <a href=\"https://example.org/x\">link</a>.</p>",
			URL:      fmt.Sprintf("https://example.org/item/%d", i), Source: "By Someone, Somewhere"}
		if i%5 == 4 {
			it.Kind, it.BodyHTML = "link", ""
		}
		in.Items = append(in.Items, it)
	}
	return in
}

func mustRenderer(t testing.TB) *render.Renderer {
	t.Helper()
	r, err := render.New(templates.Builtin(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
