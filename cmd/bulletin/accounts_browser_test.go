package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"

	"github.com/chromedp/chromedp"
)

// capturedText waits until the built-in capture holds a message to rcpt
// whose subject contains subject, then opens it in the browser's
// captured-mail page (logged in as an admin, who is logged out after) and
// returns its plain text as the page shows it.
func capturedText(t *testing.T, ctx context.Context, m *Main, base, rcpt, subject string, shots *shooter, shot string) string {
	t.Helper()
	var id int64
	fixture.WaitFor(t, "captured mail "+subject+" to "+rcpt, func() bool {
		err := m.DB.Pool.QueryRow(context.Background(), `SELECT id FROM captured_messages
			WHERE $1 = ANY(rcpt_to) AND subject LIKE '%' || $2 || '%' ORDER BY id DESC LIMIT 1`, rcpt, subject).Scan(&id)
		return err == nil
	})
	browserLogin(t, ctx, base, "ada@example.org", "ada-password-12")
	step(t, ctx, "open the captured mail list", chromedp.Navigate(base+"/admin/captured/"), chromedp.WaitVisible(chromedp.CSS("#captured")))
	if got := text(t, ctx, "#captured"); !strings.Contains(got, subject) {
		t.Fatalf("captured mail list lacks %q: %q", subject, got)
	}
	step(t, ctx, "open "+subject,
		chromedp.Click(chromedp.CSS(`#captured a[href="/admin/captured/`+strconv.FormatInt(id, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("details summary")),
		chromedp.Click(chromedp.CSS("details summary")),
		chromedp.WaitVisible(chromedp.CSS("pre.mail-text")))
	body := text(t, ctx, "pre.mail-text")
	if shots != nil {
		shots.shot(shot)
	}
	browserLogout(t, ctx)
	return body
}

var linkRE = regexp.MustCompile(`https?://\S+/(invite|reset)/[A-Za-z0-9_-]+`)

// An admin invites an editor, who sets a password from the captured
// email and logs in; then a contributor who forgot their password asks
// for a link on the login page and resets it, and the old password stops
// working.
func TestInviteAndResetInBrowser(t *testing.T) {
	m, base := startFull(t)
	addUser(t, m.DB, "ada@example.org", "admin", "ada-password-12")
	addUser(t, m.DB, "ann@example.org", "contributor", "ann-password-1")
	ctx := browser(t)
	shots := newShooter(t, ctx)

	browserLogin(t, ctx, base, "ada@example.org", "ada-password-12")
	step(t, ctx, "open the invite form",
		chromedp.Navigate(base+"/admin/users"),
		chromedp.Click(chromedp.CSS("#invite-link")),
		chromedp.WaitVisible(chromedp.CSS("#i-email")))
	step(t, ctx, "invite an editor",
		chromedp.SendKeys(chromedp.CSS("#i-email"), "eve@example.org"),
		chromedp.SendKeys(chromedp.CSS("#i-name"), "Eve Editor"),
		chromedp.SetValue(chromedp.CSS("#i-role"), "editor"),
		chromedp.Click(chromedp.CSS("#send-invite")),
		chromedp.WaitVisible(chromedp.CSS("#flash")))
	if got := text(t, ctx, "#flash"); !strings.Contains(got, "Invitation sent to eve@example.org") {
		t.Fatalf("flash after inviting: %q", got)
	}
	shots.shot("invite-sent")
	browserLogout(t, ctx)

	mail := capturedText(t, ctx, m, base, "eve@example.org", "You are invited", shots, "invite-email")
	link := linkRE.FindString(mail)
	if link == "" || !strings.Contains(mail, "72 hours") {
		t.Fatalf("invitation email without a link:\n%s", mail)
	}
	step(t, ctx, "open the invitation link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#password")))
	if got := text(t, ctx, "#account-email"); got != "eve@example.org" {
		t.Fatalf("invite page for %q", got)
	}
	shots.shot("invite-set-password")
	step(t, ctx, "set a password",
		chromedp.SendKeys(chromedp.CSS("#password"), "eve-password-123"),
		chromedp.SendKeys(chromedp.CSS("#password2"), "eve-password-123"),
		chromedp.Click(chromedp.CSS("#set-password")),
		chromedp.WaitVisible(chromedp.CSS("#password-set")))
	shots.shot("invite-password-set")
	step(t, ctx, "the link is used up", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#link-invalid")))
	shots.shot("invite-link-used")
	browserLogin(t, ctx, base, "eve@example.org", "eve-password-123")
	if got := text(t, ctx, "form.logout"); !strings.Contains(got, "eve@example.org (editor)") {
		t.Fatalf("logged in as %q", got)
	}
	browserLogout(t, ctx)

	// Forgot password, from the login page.
	step(t, ctx, "forgot password",
		chromedp.Navigate(base+"/login"),
		chromedp.Click(chromedp.CSS("#forgot")),
		chromedp.WaitVisible(chromedp.CSS("#send-link")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ann@example.org"),
		chromedp.Click(chromedp.CSS("#send-link")),
		chromedp.WaitVisible(chromedp.CSS("#forgot-sent")))
	shots.shot("forgot-sent")
	mail = capturedText(t, ctx, m, base, "ann@example.org", "Reset your Bulletin password", shots, "reset-email")
	link = linkRE.FindString(mail)
	if link == "" {
		t.Fatalf("reset email without a link:\n%s", mail)
	}
	step(t, ctx, "open the reset link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#password")))
	step(t, ctx, "two different passwords",
		chromedp.SendKeys(chromedp.CSS("#password"), "ann-new-password"),
		chromedp.SendKeys(chromedp.CSS("#password2"), "ann-typo-password"),
		chromedp.Click(chromedp.CSS("#set-password")),
		chromedp.WaitVisible(chromedp.CSS("#form-error")))
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.id === 'form-error' && document.title.startsWith('Error:')`)); err != nil || !ok {
		t.Fatalf("after the error, focus is not on the message or the title lacks \"Error:\" (%v)", err)
	}
	shots.shot("reset-mismatch")
	step(t, ctx, "reset the password",
		chromedp.SendKeys(chromedp.CSS("#password"), "ann-new-password"),
		chromedp.SendKeys(chromedp.CSS("#password2"), "ann-new-password"),
		chromedp.Click(chromedp.CSS("#set-password")),
		chromedp.WaitVisible(chromedp.CSS("#password-set")))
	shots.shot("reset-done")
	step(t, ctx, "the old password is refused",
		chromedp.Click(chromedp.CSS("#to-login")),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ann@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), "ann-password-1"),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#login-error")))
	browserLogin(t, ctx, base, "ann@example.org", "ann-new-password")
	step(t, ctx, "settings page", chromedp.Navigate(base+"/admin/settings"), chromedp.WaitVisible(chromedp.CSS("#n-review")))
	shots.shot("contributor-settings")
}

// A contributor's item is approved and published: the contributor gets
// the "approved" and the "published in Update 1" emails, the latter
// linking to the item's anchor in the archive; the admin reads the send
// report with its counts and opens the issue page from it.
func TestNotificationsInBrowser(t *testing.T) {
	m, base := startFull(t)
	bg := context.Background()
	addUser(t, m.DB, "ann@example.org", "contributor", "ann-password-1")
	addUser(t, m.DB, "ed@example.org", "editor", "ed-password-12")
	addUser(t, m.DB, "ada@example.org", "admin", "ada-password-12")
	if err := m.DB.CreateList(bg, &bulletin.List{Slug: "readers", Name: "Readers"}); err != nil {
		t.Fatal(err)
	}
	fixture.Readers(t, m.DB, "readers", 5)
	from, lists := "news@example.org", []string{"readers"}
	if _, err := m.DB.UpdateNewsletter(bg, "weekly", bulletin.NewsletterUpdate{FromEmail: &from, Lists: &lists}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	shots := newShooter(t, ctx)

	browserLogin(t, ctx, base, "ann@example.org", "ann-password-1")
	title := "Library opens on Sundays"
	step(t, ctx, "submit an item",
		chromedp.Navigate(base+"/contribute"),
		chromedp.WaitVisible(chromedp.CSS("#contribute")),
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SendKeys(chromedp.CSS("#body"), "From next month, 10 to 4."),
		chromedp.Click(chromedp.CSS("#do-submit")),
		chromedp.WaitVisible(chromedp.CSS("#mine")))
	browserLogout(t, ctx)

	browserLogin(t, ctx, base, "ed@example.org", "ed-password-12")
	step(t, ctx, "approve",
		chromedp.Navigate(base+"/admin/items"),
		chromedp.WaitVisible(chromedp.CSS("#queue")),
		chromedp.Click(chromedp.CSS(`tr[data-title="`+title+`"] button.approve`)),
		chromedp.WaitVisible(chromedp.CSS("#flash")))
	// Compile and send through the JSON API with the editor's session, as
	// the issue page's own script does: this test is about the emails.
	for _, path := range []string{"/api/v1/newsletters/weekly/issues", "/api/v1/newsletters/weekly/issues/1/send"} {
		status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch('`+path+`', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'}).then(r => r.status)`,
			chromedp.EvalAwaitPromise))
		if err != nil || status >= 300 {
			t.Fatalf("POST %s: %d %v", path, status, err)
		}
	}
	browserLogout(t, ctx)
	fixture.WaitFor(t, "issue 1 sent", func() bool {
		var status string
		m.DB.Pool.QueryRow(bg, `SELECT status FROM issues WHERE number = 1`).Scan(&status)
		return status == "sent"
	})

	approved := capturedText(t, ctx, m, base, "ann@example.org", "Approved: "+title, shots, "approved-email")
	if !strings.Contains(approved, "was approved") {
		t.Fatalf("approved email:\n%s", approved)
	}
	published := capturedText(t, ctx, m, base, "ann@example.org", "Published in Update 1", shots, "published-email")
	anchor := regexp.MustCompile(`https?://\S+/archive/weekly/1/email#item-\d+`).FindString(published)
	if anchor == "" {
		t.Fatalf("published email without the item's anchor:\n%s", published)
	}
	step(t, ctx, "follow the archive link", chromedp.Navigate(anchor), chromedp.WaitVisible(chromedp.CSS("body")))
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil || !strings.Contains(page, title) {
		t.Fatalf("archive page from the email lacks the item: %v", err)
	}
	id := anchor[strings.LastIndexByte(anchor, '#')+1:]
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const a = document.getElementById('`+id+`') || document.getElementsByName('`+id+`')[0];
		return !!a && a.closest('tr, div, td').textContent.includes(`+"`"+title+"`"+`); })()`)); err != nil || !ok {
		t.Fatalf("no anchor %s at the item in the archived email (%v)", id, err)
	}
	shots.shot("archive-from-email")

	report := capturedText(t, ctx, m, base, "ada@example.org", "Sent: Update 1", shots, "send-report-email")
	if !strings.Contains(report, "Delivered: 5") || !strings.Contains(report, "Failed:    0") || !strings.Contains(report, "Bounced:   0") {
		t.Fatalf("send report:\n%s", report)
	}
	issue := regexp.MustCompile(`https?://\S+/admin/issues/weekly/1`).FindString(report)
	browserLogin(t, ctx, base, "ada@example.org", "ada-password-12")
	step(t, ctx, "open the issue from the report", chromedp.Navigate(issue), chromedp.WaitVisible(chromedp.CSS("#issue-items")))
	shots.shot("issue-from-report")
	var n int
	m.DB.Pool.QueryRow(bg, `SELECT count(*) FROM captured_messages WHERE 'ann@example.org' = ANY(rcpt_to) AND subject LIKE 'Published%'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d published emails to ann, want 1", n)
	}
}
