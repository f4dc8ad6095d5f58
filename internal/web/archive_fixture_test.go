package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// archiveFixture inserts newsletters, sent and unsent issues and their items
// with plain SQL, so the archive is tested without the compile stage.
type archiveFixture struct {
	t  testing.TB
	db *postgres.DB
}

func newArchiveFixture(t testing.TB) archiveFixture {
	return archiveFixture{t: t, db: pgtest.New(t)}
}

func (f archiveFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Pool.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// newsletter creates newsletter slug ("Weekly update" for weekly) with a
// public list readers, and returns its id.
func (f archiveFixture) newsletter(slug, name string, isDefault bool) int64 {
	f.t.Helper()
	var id int64
	err := f.db.Pool.QueryRow(context.Background(), `INSERT INTO newsletters (slug, name, description, is_default, created_at)
		VALUES ($1, $2, 'News from the neighbourhood, every week.', $3, '2026-01-05T10:00:00Z') RETURNING id`,
		slug, name, isDefault).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	f.exec(`WITH l AS (INSERT INTO lists (slug, name, public) VALUES ($1, 'Readers', true) RETURNING id)
		INSERT INTO newsletter_lists SELECT $2, id FROM l`, slug+"-readers", id)
	return id
}

type archiveItem struct{ Title, Body, Source string }

// issue stores issue number with the given status and HTML; sentAt is used
// only for sent issues.
func (f archiveFixture) issue(nl int64, number int, status string, sentAt time.Time, html string, items ...archiveItem) {
	f.t.Helper()
	var sent *time.Time
	if status == bulletin.IssueSent {
		sent = &sentAt
	}
	var id int64
	err := f.db.Pool.QueryRow(context.Background(), `INSERT INTO issues (newsletter_id, number, status, subject, preheader, html, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, nl, number, status,
		fmt.Sprintf("Weekly update %d", number), "", html, sent).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	for i, it := range items {
		f.exec(`INSERT INTO items (newsletter_id, issue_id, issue_position, title, body, source, status)
			VALUES ($1, $2, $3, $4, $5, $6, 'approved')`, nl, id, i+1, it.Title, it.Body, it.Source)
	}
}

func archiveAt(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// archiveEmailHTML is a stored issue carrying the personal placeholders and
// hostile payloads; beacon is where a payload that ran would call.
func archiveEmailHTML(number int, beacon string) string {
	return fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Weekly update %[1]d</title>
<style>.t { color: #222; }</style></head><body>
<h1 class="t" id="top">Weekly update %[1]d</h1>
<p id="greeting">Hi %[3]s,</p>
<p><a id="item-link" href="#item-1">Jump to the first item</a></p>
<script>new Image().src=%[2]q+"/pwned-script"; document.body.setAttribute("data-pwned", "script")</script>
<img id="broken" src="%[2]s/missing.png" onerror="new Image().src='%[2]s/pwned-onerror'; document.body.setAttribute('data-pwned','onerror')" alt="">
<p><a id="js" href="javascript:new Image().src='%[2]s/pwned-js'">a script link</a>
<a id="js2" href=" jav&#x09;ascript:alert(1)">an obfuscated one</a>
<a id="ext" href="https://example.org/news" target="_blank">an outside link</a></p>
<a name="item-1" id="item-1"></a><h3>1. The first item</h3>
<p class="footer"><a id="unsub" href="%[4]s">Unsubscribe</a> · <a id="prefs" href="%[5]s">preferences</a></p>
<img id="loaded" src="%[2]s/ok.png" alt="">
</body></html>`, number, beacon, bulletin.PlaceholderName, bulletin.PlaceholderUnsubscribeURL, bulletin.PlaceholderPreferencesURL)
}

// seedArchive stores the weekly newsletter used by most archive tests:
// issues 1 (October), 2 and 5 (November) sent; 3 draft, 4 cancelled,
// 6 scheduled, 7 sending; and a second newsletter.
func seedArchive(f archiveFixture, beacon string) int64 {
	nl := f.newsletter("weekly", "Weekly update", true)
	f.issue(nl, 1, bulletin.IssueSent, archiveAt("2026-10-28T09:00:00Z"), archiveEmailHTML(1, beacon),
		archiveItem{"Library opening hours", "The library opens **longer** on Thursdays.", "By the library"},
		archiveItem{"Budget consultation", "Have your say on the community budget.", "By the council"})
	f.issue(nl, 2, bulletin.IssueSent, archiveAt("2026-11-04T09:00:00Z"), archiveEmailHTML(2, beacon),
		archiveItem{"Park reopens", "The park reopens after works.", ""},
		archiveItem{`<script>alert("t")</script> Budget <b>vote</b>`, `Payload <img src=x onerror=alert(1)> budget javascript:alert(1)`, "By <i>Mallory</i>"})
	f.issue(nl, 3, bulletin.IssueDraft, time.Time{}, "<p>draft secret</p>", archiveItem{"Draft secret budget", "not yet", ""})
	f.issue(nl, 4, bulletin.IssueCancelled, time.Time{}, "<p>cancelled secret</p>", archiveItem{"Cancelled secret budget", "never", ""})
	f.issue(nl, 5, bulletin.IssueSent, archiveAt("2026-11-18T09:00:00Z"), archiveEmailHTML(5, beacon),
		archiveItem{"Zebra crossing on Elm Street", "A new crossing near the school.", ""})
	f.issue(nl, 6, bulletin.IssueScheduled, time.Time{}, "<p>scheduled secret</p>", archiveItem{"Scheduled secret budget", "soon", ""})
	f.issue(nl, 7, bulletin.IssueSending, time.Time{}, "<p>sending secret</p>", archiveItem{"Sending secret budget", "now", ""})
	other := f.newsletter("other", "Other news", false)
	f.issue(other, 1, bulletin.IssueSent, archiveAt("2026-11-10T09:00:00Z"), "<p>other</p>", archiveItem{"Foreign budget", "elsewhere", ""})
	return nl
}
