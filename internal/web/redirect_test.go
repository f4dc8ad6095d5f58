package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/clicks"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

const clickBase = "https://b.example"

// clickIssue compiles an issue whose HTML and text hold item links, a link
// in an item's body, the site's own links, the personal placeholders and a
// mailto: link.
func clickIssue(t testing.TB, db *postgres.DB) *bulletin.Issue {
	t.Helper()
	db.LinkBase = clickBase
	fixture.Newsletter(t, db)
	html := `<html><body><p>Hi ` + bulletin.PlaceholderName + `</p>
<a href="https://example.org/a?x=1&amp;y=2">A</a> <a class="more" href="https://example.org/b">B</a>
<a href="https://example.org/a?x=1&amp;y=2">A again</a> <a href="mailto:ed@example.org">mail</a>
<a href="` + clickBase + `/archive/weekly/1">web</a> <a href="` + bulletin.PlaceholderUnsubscribeURL + `">Unsubscribe</a>
<a href="` + bulletin.PlaceholderPreferencesURL + `">Preferences</a></body></html>`
	text := "Hi " + bulletin.PlaceholderName + "\nA: https://example.org/a?x=1&y=2\nB (https://example.org/b).\nOnly in text: https://example.org/c.\n" +
		"Web: " + clickBase + "/archive/weekly/1\nUnsubscribe: " + bulletin.PlaceholderUnsubscribeURL + "\n"
	is, err := db.CompileIssue(context.Background(), "", nil,
		func(nl *bulletin.Newsletter, number int, _ []bulletin.Section, _ []bulletin.Item) (*bulletin.Issue, error) {
			return &bulletin.Issue{Status: bulletin.IssueDraft, Subject: "s", HTML: html, Text: text}, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

func clickServer(t testing.TB, db *postgres.DB) (*Server, *clicks.Flusher) {
	s := wired(db)
	s.BaseURL = clickBase
	s.Clicks, s.ClickTargets = &clicks.Counter{}, &clicks.Resolver{Lookup: db}
	return s, &clicks.Flusher{Counter: s.Clicks, Store: db}
}

var redirectLink = regexp.MustCompile(regexp.QuoteMeta(clickBase) + `/r/\d+/\d+`)

func noFollow() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestSentCopyRewritesLinksArchiveKeepsThem(t *testing.T) {
	db := pgtest.New(t)
	is := clickIssue(t, db)
	ctx := context.Background()
	stored, err := db.FindIssueByNumber(ctx, "", is.Number)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.HTML, "/r/") || strings.Contains(stored.Text, "/r/") {
		t.Fatal("the stored snapshot (the archive's copy) must keep the original links")
	}
	sent, err := db.FindIssueForSend(ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []string{bulletin.PlaceholderUnsubscribeURL, bulletin.PlaceholderPreferencesURL, bulletin.PlaceholderName,
		`href="mailto:ed@example.org"`, `href="` + clickBase + `/archive/weekly/1"`, `class="more"`} {
		if !strings.Contains(sent.HTML, keep) {
			t.Errorf("sent HTML lost %q:\n%s", keep, sent.HTML)
		}
	}
	for _, gone := range []string{"https://example.org/a", "https://example.org/b"} {
		if strings.Contains(sent.HTML, gone) || strings.Contains(sent.Text, gone) {
			t.Errorf("sent copy still has %s", gone)
		}
	}
	if !strings.Contains(sent.Text, "Unsubscribe: "+bulletin.PlaceholderUnsubscribeURL) || !strings.Contains(sent.Text, clickBase+"/archive/weekly/1") {
		t.Errorf("text lost the site's own links:\n%s", sent.Text)
	}
	if !strings.Contains(sent.Text, fmt.Sprintf("(%s/r/%d/2).", clickBase, is.ID)) {
		t.Errorf("text link in brackets not rewritten with its punctuation kept:\n%s", sent.Text)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM issue_links WHERE issue_id = $1`, is.ID).Scan(&n); err != nil || n != 3 {
		t.Fatalf("issue_links: %d rows (%v), want 3 distinct links", n, err)
	}

	// Every rewritten link, HTML and text, leads to its original.
	s, _ := clickServer(t, db)
	ts := serve(t, s)
	want := map[string]string{}
	rows, _ := db.Pool.Query(ctx, `SELECT link_no, url FROM issue_links WHERE issue_id = $1`, is.ID)
	var no int
	var u string
	for rows.Next() {
		if err := rows.Scan(&no, &u); err != nil {
			t.Fatal(err)
		}
		want[fmt.Sprintf("%s/r/%d/%d", clickBase, is.ID, no)] = u
	}
	found := redirectLink.FindAllString(sent.HTML+sent.Text, -1)
	if len(found) != 6 { // A twice, B in the HTML; A, B, C in the text
		t.Fatalf("found %d redirect links, want 6: %v", len(found), found)
	}
	for _, link := range found {
		resp, err := noFollow().Get(ts.URL + strings.TrimPrefix(link, clickBase))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want[link] {
			t.Errorf("%s: %d to %q, want 302 to %q", link, resp.StatusCode, resp.Header.Get("Location"), want[link])
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s set a cookie", link)
		}
	}

	// Switched off: the original links are sent.
	if _, err := db.Pool.Exec(ctx, `UPDATE newsletters SET count_clicks = false`); err != nil {
		t.Fatal(err)
	}
	if plain, err := db.FindIssueForSend(ctx, is.ID); err != nil || plain.HTML != stored.HTML || plain.Text != stored.Text {
		t.Errorf("count_clicks off must send the original links (err %v)", err)
	}
}

func TestRedirectUnknownNeverRedirects(t *testing.T) {
	db := pgtest.New(t)
	is := clickIssue(t, db)
	s, _ := clickServer(t, db)
	ts := serve(t, s)
	for _, p := range []string{fmt.Sprintf("/r/%d/99", is.ID), fmt.Sprintf("/r/%d/0", is.ID), "/r/999999/1", "/r/x/1",
		fmt.Sprintf("/r/%d/1/extra", is.ID), "/r/1", "/r/https:%2F%2Fevil.example/1", "/o/999999.gif", "/o/x.gif"} {
		resp, err := noFollow().Get(ts.URL + p + "?url=https://evil.example")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d Location %q, want 404 and no redirect", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if got := s.Clicks.Take(); len(got) != 0 {
		t.Errorf("unknown ids counted: %v", got)
	}
}

// Two "processes" (two servers with their own counters) take concurrent
// clicks; after both flush, link_clicks holds exactly what was clicked.
func TestClickCountsExactAcrossProcesses(t *testing.T) {
	db := pgtest.New(t)
	is := clickIssue(t, db)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, `UPDATE newsletters SET count_opens = true`); err != nil {
		t.Fatal(err)
	}
	s1, f1 := clickServer(t, db)
	s2, f2 := clickServer(t, db)
	urls := []string{serve(t, s1).URL, serve(t, s2).URL}
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				link := 1 + (w+i)%3
				path := fmt.Sprintf("/r/%d/%d", is.ID, link)
				if i%5 == 0 {
					path = fmt.Sprintf("/o/%d.gif", is.ID)
				}
				resp, err := noFollow().Get(urls[(w+i)%2] + path)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusOK {
					t.Errorf("%s: %d", path, resp.StatusCode)
				}
			}
			if w == 0 { // a flush in the middle of the clicks
				if err := f1.Flush(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for _, f := range []*clicks.Flusher{f1, f2, f1} {
		if err := f.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// HEAD is answered but not counted.
	resp, err := noFollow().Head(urls[0] + fmt.Sprintf("/r/%d/1", is.ID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := f1.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var clicksN, opens int64
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(clicks), 0) FROM link_clicks WHERE issue_id = $1`, is.ID).Scan(&clicksN); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT coalesce(sum(opens), 0) FROM issue_opens WHERE issue_id = $1`, is.ID).Scan(&opens); err != nil {
		t.Fatal(err)
	}
	wantOpens := int64(workers * each / 5)
	if clicksN != workers*each-wantOpens || opens != wantOpens {
		t.Errorf("stored %d clicks and %d opens, want %d and %d", clicksN, opens, workers*each-wantOpens, wantOpens)
	}
	sent, err := db.FindIssueForSend(ctx, is.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sent.HTML, fmt.Sprintf(`src="%s/o/%d.gif"`, clickBase, is.ID)) {
		t.Error("count_opens on: the sent HTML has no pixel")
	}
}
