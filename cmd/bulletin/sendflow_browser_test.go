package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"

	"github.com/chromedp/chromedp"
)

// An editor schedules an issue for a time a few seconds ahead and watches
// it go out: the status on the page changes by itself (no reload) from
// draft to scheduled (after the form) and on to sent, and the page then
// offers the archive link.
func TestScheduleAndWatchInBrowser(t *testing.T) {
	m, base := startFull(t)
	bg := context.Background()
	addUser(t, m.DB, "ed@example.org", "editor", "ed-password-12")
	fixture.List(t, m.DB, &bulletin.List{Slug: "readers", Name: "Readers"})
	lists := []string{"readers"}
	if _, err := m.DB.UpdateNewsletter(bg, "weekly", bulletin.NewsletterUpdate{Lists: &lists}); err != nil {
		t.Fatal(err)
	}
	fixture.Readers(t, m.DB, "readers", 30)
	is := fixture.Issue(t, m.DB, "weekly")
	ctx := browser(t)
	shots := newShooter(t, ctx)
	browserLogin(t, ctx, base, "ed@example.org", "ed-password-12")
	issueURL := base + "/admin/issues/weekly/1"
	step(t, ctx, "open the draft", chromedp.Navigate(issueURL), chromedp.WaitVisible(chromedp.CSS("#schedule-form")))
	if got := text(t, ctx, "#issue-status"); got != "draft" {
		t.Fatalf("status %q, want draft", got)
	}
	shots.shot("schedule-draft")

	// The newsletter has no CRON_TZ: its zone is UTC. Schedule 6 s ahead
	// (the field takes seconds with step=1).
	at := time.Now().UTC().Add(6 * time.Second).Format("2006-01-02T15:04:05")
	step(t, ctx, "schedule",
		chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector('#schedule-at'); f.step = 1; f.removeAttribute('min'); f.value = '`+at+`'; })()`),
		chromedp.Click(chromedp.CSS("#schedule")),
		chromedp.WaitVisible(chromedp.CSS("#unschedule")))
	if got := text(t, ctx, "#issue-status"); got != "scheduled" {
		t.Fatalf("status after scheduling %q, want scheduled", got)
	}
	shots.shot("schedule-scheduled")
	// From here on the page must not reload: a marker on window survives
	// only as long as this document does; a observer records each status
	// the page shows.
	step(t, ctx, "watch the status", chromedp.Evaluate[chromedp.Void](`(() => { window.stillHere = true; window.seen = ['scheduled'];
		new MutationObserver(() => { const s = document.querySelector('#issue-status').textContent;
			if (window.seen[window.seen.length - 1] !== s) window.seen.push(s); })
			.observe(document.querySelector('#issue-status'), { childList: true, characterData: true, subtree: true }); })()`))
	waitJS(t, ctx, "the page to show sent", `document.querySelector('#issue-status').textContent === 'sent'`)
	shots.shot("schedule-sent")
	step(t, ctx, "the archive link appears", chromedp.WaitVisible(chromedp.CSS("#archive-link")))
	still, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stillHere === true`))
	if err != nil || !still {
		t.Fatalf("the page reloaded while the issue went out (%v)", err)
	}
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.seen`))
	if err != nil || seen[0] != "scheduled" || seen[len(seen)-1] != "sent" {
		t.Fatalf("statuses shown %v (%v), want scheduled … sent", seen, err)
	}
	t.Logf("statuses the page showed by itself: %s", strings.Join(seen, " → "))
	if got := text(t, ctx, "#progress [data-f=sent]"); got != "30" {
		t.Errorf("progress shows %s sent, want 30", got)
	}
	if rate := text(t, ctx, "#progress [data-f=rate]"); !strings.HasSuffix(rate, "/s") {
		t.Errorf("rate %q for the sent issue, want a figure per second", rate)
	}
	if st, err := m.DB.FindIssueByNumber(bg, "weekly", is.Number); err != nil || st.Status != bulletin.IssueSent {
		t.Fatalf("issue in the database: %v %+v", err, st)
	}
	// Refused now: the schedule of a sent issue cannot change.
	step(t, ctx, "cancel after sending", chromedp.Navigate(issueURL))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const f = document.createElement('form'); f.method = 'post';
		f.action = location.pathname + '/cancel'; document.body.appendChild(f); f.submit(); })()`)); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "the refusal page", chromedp.WaitVisible(chromedp.CSS("#error-advice")))
	if msg := text(t, ctx, "#error-message"); !strings.Contains(msg, "can no longer be cancelled") {
		t.Errorf("refusal says %q", msg)
	}
	shots.shot("schedule-refused-cancel")
}
