package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/schedule"

	"github.com/robfig/cron/v3"
)

// The demo's history parses into twenty issues, each with a link round-up
// and one closing item, and every item passes the contribution checks.
func TestDemoHistoryData(t *testing.T) {
	weeks, err := parseDemoHistory(demoHistoryText)
	if err != nil {
		t.Fatal(err)
	}
	if len(weeks) != 20 {
		t.Fatalf("%d issues of history, want 20", len(weeks))
	}
	titles := map[string]bool{}
	for i, items := range weeks {
		var links, closing, sections int
		for _, it := range items {
			if titles[it.title] {
				t.Errorf("week %d: title %q used twice", i+1, it.title)
			}
			titles[it.title] = true
			if it.kind == bulletin.KindLink {
				links++
			}
			if it.closing {
				closing++
			}
			if it.section != "" {
				sections++
			}
			if it.kind == bulletin.KindArticle && !strings.HasPrefix(it.html, "<p>") {
				t.Errorf("week %d: %q has no rendered body: %q", i+1, it.title, it.html)
			}
		}
		if links < 2 || closing != 1 || sections < 3 {
			t.Errorf("week %d: %d links, %d closing items, %d in sections; want 2+, 1, 3+", i+1, links, closing, sections)
		}
	}
}

// Bad history text is refused with the line and what is wrong.
func TestDemoHistoryParseErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"news | A | | https://example.org/a | S", "line 1: an item before the first"},
		{"==\nnews | A | body", "line 2: 3 fields, want 5"},
		{"==\nnews | <b>A</b> | body | | S", "title: must be plain text"},
		{"==\nnews | A link | | | S", "url: required for a link item"},
		{"==\nnews | A | body | not a url | S", "line 2: "},
	}
	for _, tt := range tests {
		_, err := parseDemoHistory(tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parse %q: err = %v, want %q", tt.text, err, tt.want)
		}
	}
}

// The history's slots are the schedule's last twenty before now, a week
// apart, the newest before now, the oldest under five months back.
func TestDemoSlots(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	slots, err := demoSlots("CRON_TZ=Europe/London 0 17 * * TUE", nil, now, 20)
	if err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London")
	if len(slots) != 20 || !slots[19].Before(now) || now.Sub(slots[19]) > 7*24*time.Hour || slots[0].Before(now.AddDate(0, -5, 0)) {
		t.Fatalf("slots %v", slots)
	}
	for i, s := range slots {
		if l := s.In(london); l.Weekday() != time.Tuesday || l.Hour() != 17 || l.Minute() != 0 {
			t.Errorf("slot %d is %v, not a Tuesday at 17:00 in London", i, l)
		}
		if i > 0 && s.Sub(slots[i-1]).Round(24*time.Hour) != 7*24*time.Hour {
			t.Errorf("slot %d is %v after the one before", i, s.Sub(slots[i-1]))
		}
	}
	if _, err := demoSlots("not a schedule", nil, now, 20); err == nil {
		t.Error("a bad schedule gave slots")
	}
	if _, err := demoSlots("0 9 1 1 *", nil, now, 20); err == nil || !strings.Contains(err.Error(), "needs 20") {
		t.Errorf("a yearly schedule: err = %v", err)
	}
}

func TestDescribeSchedule(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct{ spec, want string }{
		{"CRON_TZ=Europe/London 0 17 * * TUE", "every Tuesday at 17:00 Europe/London time"},
		{"0 9 * * MON", "every Monday at 09:00 UTC"},
		{"30 8 * * *", "every day at 08:30 UTC"},
		{"@weekly", "every Sunday at 00:00 UTC"},
		{"0 9 * * MON,THU", ""},
		{"0 9,17 * * *", ""},
		{"", ""},
		{"nonsense", ""},
	}
	for _, tt := range tests {
		if got := describeSchedule(tt.spec, now); got != tt.want {
			t.Errorf("describeSchedule(%q) = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

// checkDemoHistory looks at a running demo as a reader and an editor
// would, once it logged its history ready: twenty sent issues a week apart
// over the past five months, each listed on its month page, a feed, a
// search hit for a word of the sample items, and a list description that
// says the schedule's day and time.
func checkDemoHistory(t *testing.T, base, token string) {
	t.Helper()
	var nl struct{ Schedule string }
	getJSON(t, base+"/api/v1/newsletters/weekly", token, &nl)
	var issues []bulletin.Issue
	getJSON(t, base+"/api/v1/newsletters/weekly/issues", token, &issues)

	loc := (&bulletin.Newsletter{Schedule: nl.Schedule}).Location()
	now := time.Now()
	var past []bulletin.Issue
	for _, is := range issues {
		if is.Status == bulletin.IssueSent && is.SentAt != nil && is.SentAt.Before(now.Add(-time.Hour)) {
			past = append(past, is)
		}
	}
	if len(past) != 20 {
		t.Fatalf("%d issues sent in the past, want 20: %+v", len(past), issues)
	}
	oldest, newest := past[0].SentAt, past[0].SentAt
	for _, is := range past {
		if is.Slot == nil || is.SentAt.Before(*is.Slot) || is.SentAt.Sub(*is.Slot) > time.Hour {
			t.Errorf("issue %d: sent %v for slot %v", is.Number, is.SentAt, is.Slot)
		}
		if is.SentAt.Before(*oldest) {
			oldest = is.SentAt
		}
		if is.SentAt.After(*newest) {
			newest = is.SentAt
		}
		month := is.SentAt.In(loc).Format("2006/01")
		page := get(t, base+"/archive/weekly/"+month+"/")
		if !strings.Contains(page, fmt.Sprintf(`href="/archive/weekly/%d"`, is.Number)) {
			t.Errorf("month page %s does not list issue %d", month, is.Number)
		}
	}
	if span := newest.Sub(*oldest); span < 120*24*time.Hour || oldest.Before(now.AddDate(0, -5, 0)) {
		t.Errorf("history from %v to %v: want about five months back from now", oldest, newest)
	}

	if feed := get(t, base+"/archive/weekly/feed.atom"); strings.Count(feed, "<entry>") < 10 {
		t.Errorf("feed has %d entries", strings.Count(feed, "<entry>"))
	}
	// A word of one sample item only: the search finds it in that week's issue.
	weeks, _ := parseDemoHistory(demoHistoryText)
	week := 0
	for i, items := range weeks {
		for _, it := range items {
			if strings.Contains(strings.ToLower(it.title+it.body), "hedgehog") {
				week = i + 1
			}
		}
	}
	hits := get(t, base+"/archive/weekly/search?q=hedgehog")
	if week == 0 || !strings.Contains(hits, "1 result") || !strings.Contains(hits, fmt.Sprintf(`href="/archive/weekly/%d`, week)) {
		t.Errorf("search for hedgehog, in week %d:\n%s", week, hits)
	}

	// The day and time, worked out from the cron schedule here.
	s, err := schedule.Parse(nl.Schedule, nil)
	if err != nil {
		t.Fatal(err)
	}
	next := s.Next(now).In(s.(*cron.SpecSchedule).Location)
	form := get(t, base+"/subscribe/weekly")
	for _, want := range []string{"every " + next.Weekday().String(), "at " + next.Format("15:04")} {
		if !strings.Contains(form, want) {
			t.Errorf("subscribe page does not say %q for schedule %q", want, nl.Schedule)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, resp.StatusCode, b)
	}
	return string(b)
}

func getJSON(t *testing.T, url, token string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d\n%s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
