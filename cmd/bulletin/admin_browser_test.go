package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/password"
	"bulletin/internal/postgres"

	"github.com/chromedp/chromedp"
)

// addUser creates a login with cheap argon2id costs (Verify reads them from
// the hash), so the test spends its time in the browser, not hashing.
func addUser(t *testing.T, db *postgres.DB, email, role, pw string) {
	t.Helper()
	hash, err := password.HashWith(password.Params{Time: 1, Memory: 1024, Threads: 1}, pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3)`, email, role, hash); err != nil {
		t.Fatal(err)
	}
}

// step runs browser actions and fails the test with what it was doing.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitJS waits until the expression is true. Unlike chromedp.Poll it
// survives the page reloading itself meanwhile.
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	fixture.WaitFor(t, what, func() bool {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		return err == nil && ok
	})
}

// frameLoaded waits until the iframe's document has loaded, and checks
// through a same-origin fetch of its URL that it holds want (the page
// itself cannot look inside: the frame is sandboxed).
func frameLoaded(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	js := `(() => { const f = document.querySelector('` + sel + `');
		return performance.getEntriesByType('resource').some(e => e.name === f.src && e.responseEnd > 0); })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("iframe %s never loaded: %v", sel, err)
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('`+sel+`').src).then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	if err != nil || !strings.Contains(body, want) {
		t.Fatalf("iframe %s does not show %q: %v", sel, want, err)
	}
}

func browserLogin(t *testing.T, ctx context.Context, base, email, pw string) {
	t.Helper()
	step(t, ctx, "log in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("form.logout")))
}

func browserLogout(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "log out", chromedp.Click(chromedp.CSS("form.logout button")), chromedp.WaitVisible(chromedp.CSS("#login")))
}

// The weekly cycle walked in a real browser, as its users would: a
// contributor submits an item, an editor approves it, compiles, previews,
// test-sends and sends the issue, watches the progress reach 100 % and
// finds the issue in the public archive.
func TestAdminCycleInBrowser(t *testing.T) {
	m, base := startFull(t)
	bg := context.Background()
	addUser(t, m.DB, "ann@example.org", "contributor", "ann-password-1")
	addUser(t, m.DB, "ed@example.org", "editor", "ed-password-12")
	addUser(t, m.DB, "ada@example.org", "admin", "ada-password-12")
	if err := m.DB.CreateList(bg, &bulletin.List{Slug: "readers", Name: "Readers"}); err != nil {
		t.Fatal(err)
	}
	from, fromName, lists := "news@example.org", "Town Hall", []string{"readers"}
	if _, err := m.DB.UpdateNewsletter(bg, "weekly", bulletin.NewsletterUpdate{FromEmail: &from, FromName: &fromName, Lists: &lists}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	shots := newShooter(t, ctx)

	// The admin imports readers from a CSV with two bad lines and sees them.
	var csv strings.Builder
	csv.WriteString("email,name\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&csv, "reader%d@example.org,Reader %d\n", i, i)
		if i == 10 {
			csv.WriteString("not-an-address,Nobody\n") // line 12
		}
	}
	csv.WriteString("x@,Broken\n") // line 43
	file := filepath.Join(t.TempDir(), "readers.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, ctx, base, "ada@example.org", "ada-password-12")
	step(t, ctx, "import a CSV",
		chromedp.Navigate(base+"/admin/lists"),
		chromedp.SetUploadFiles(chromedp.CSS("#csv-readers"), []string{file}),
		chromedp.Click(chromedp.CSS("#list-readers .import-form button")),
		chromedp.WaitVisible(chromedp.CSS("#import-errors")))
	result, errs := text(t, ctx, "#import-result"), text(t, ctx, "#import-errors")
	if !strings.Contains(result, "40 imported") || !strings.Contains(errs, "12") || !strings.Contains(errs, "43") {
		t.Fatalf("import page: %q / %q", result, errs)
	}
	shots.shot("import-line-errors")
	browserLogout(t, ctx)

	// A wrong password is refused with a message.
	step(t, ctx, "wrong password",
		chromedp.Navigate(base+"/admin/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ann@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), "not-her-password"),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#login-error")))
	shots.shot("login-error")

	// The contributor previews, then submits.
	browserLogin(t, ctx, base, "ann@example.org", "ann-password-1")
	title := "Skate park reopens with a new bowl"
	step(t, ctx, "fill the contribution form",
		chromedp.WaitVisible(chromedp.CSS("#contribute")),
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SendKeys(chromedp.CSS("#body"), "The **new bowl** opens on Saturday.<script>document.title='owned'</script>"),
		chromedp.SendKeys(chromedp.CSS("#source"), "By Ann Example"),
		chromedp.Click(chromedp.CSS("#do-preview")),
		chromedp.WaitVisible(chromedp.CSS("#preview strong")))
	if got := text(t, ctx, "#preview strong"); got != "new bowl" {
		t.Fatalf("preview shows %q", got)
	}
	shots.shot("contribute-preview")
	step(t, ctx, "submit", chromedp.Click(chromedp.CSS("#do-submit")), chromedp.WaitVisible(chromedp.CSS("#mine")))
	if got := text(t, ctx, "#mine"); !strings.Contains(got, title) || !strings.Contains(got, "submitted") {
		t.Fatalf("own items after submitting: %q", got)
	}
	shots.shot("contribute-submitted")
	browserLogout(t, ctx)

	// The editor finds it in the queue and approves it.
	browserLogin(t, ctx, base, "ed@example.org", "ed-password-12")
	step(t, ctx, "open the queue", chromedp.Navigate(base+"/admin/items"), chromedp.WaitVisible(chromedp.CSS("#queue")))
	if got := text(t, ctx, "#queue"); !strings.Contains(got, title) {
		t.Fatalf("queue lacks the item: %q", got)
	}
	shots.shot("review-queue")
	step(t, ctx, "approve",
		chromedp.Click(chromedp.CSS(`tr[data-title="`+title+`"] button.approve`)),
		chromedp.WaitVisible(chromedp.CSS("#flash")))
	if got := text(t, ctx, "#flash"); !strings.Contains(got, "Approved") {
		t.Fatalf("flash after approving: %q", got)
	}

	// Compile and preview.
	step(t, ctx, "compile",
		chromedp.Navigate(base+"/admin/issues"),
		chromedp.Click(chromedp.CSS("#compile")),
		chromedp.WaitVisible(chromedp.CSS("#issue-items")))
	if got := text(t, ctx, "#issue-items"); !strings.Contains(got, title) {
		t.Fatalf("compiled issue lacks the item: %q", got)
	}
	frameLoaded(t, ctx, "#preview", title)
	shots.shot("issue-compiled")
	// The preview is sandboxed: an opaque origin the page cannot script.
	opaque, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#preview').contentDocument === null`))
	if err != nil || !opaque {
		t.Fatalf("the preview iframe is scriptable from the admin page (opaque=%v, err=%v)", opaque, err)
	}

	// The editor corrects the item's wording from the issue page: the
	// issue is rendered again and the preview shows the correction.
	step(t, ctx, "correct the item",
		chromedp.Click(chromedp.CSS("#issue-items a")),
		chromedp.WaitVisible(chromedp.CSS("#do-save")),
		chromedp.SetValue(chromedp.CSS("#body"), "The **new bowl** opens on Saturday. Helmets on."),
		chromedp.Click(chromedp.CSS("#do-save")),
		chromedp.WaitVisible(chromedp.CSS("#issue-items")))
	if got := text(t, ctx, "#flash"); !strings.Contains(got, "rendered issue 1 again") {
		t.Fatalf("flash after correcting the item: %q", got)
	}
	frameLoaded(t, ctx, "#preview", "Helmets on.")

	// Test-send, then read the copy in the captured mail.
	// The compile flash is still on the page: wait for the new one.
	step(t, ctx, "test send", chromedp.Click(chromedp.CSS("#test-send")))
	waitJS(t, ctx, "the test-send message", `(document.querySelector('#flash') || {}).textContent?.includes('Test copy sent to ed@example.org') === true`)
	issueURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "captured mail", chromedp.Navigate(base+"/admin/captured/"), chromedp.WaitVisible(chromedp.CSS("#captured")))
	if got := text(t, ctx, "#captured"); !strings.Contains(got, "[test]") || !strings.Contains(got, "ed@example.org") {
		t.Fatalf("captured mail lacks the test copy: %q", got)
	}
	// The capture also holds the users' notification emails: open the test copy.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const a = [...document.querySelectorAll('#captured tbody a')].find(a => a.textContent.includes('[test]')); a.click(); return true; })()`)); err != nil {
		t.Fatalf("open the test copy: %v", err)
	}
	step(t, ctx, "the test copy", chromedp.WaitVisible(chromedp.CSS("#mail-html")))
	frameLoaded(t, ctx, "#mail-html", title)
	shots.shot("captured-test-copy")

	// Send, and watch the progress bar reach 100 %.
	step(t, ctx, "send now",
		chromedp.Navigate(issueURL),
		chromedp.Click(chromedp.CSS("#send-now")),
		chromedp.WaitVisible(chromedp.CSS("#confirm")),
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("#progress")))
	shots.shot("sending")
	waitJS(t, ctx, "progress at 100 %", `document.querySelector('#progress') !== null && document.querySelector('#progress').dataset.percent === '100'`)
	step(t, ctx, "the page shows the sent issue", chromedp.WaitVisible(chromedp.CSS("#archive-link")))
	if got := text(t, ctx, "#progress [data-f=sent]"); got != "40" {
		t.Fatalf("sent = %q, want 40", got)
	}
	shots.shot("sent")

	// The issue is in the public archive.
	step(t, ctx, "archive", chromedp.Click(chromedp.CSS("#archive-link")), chromedp.WaitVisible(chromedp.CSS("body")))
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil || !strings.Contains(page, title) {
		t.Fatalf("archive page lacks the item: %v\n%s", err, page)
	}
	shots.shot("archive")

	// The dashboard shows the last issue's results; the contributor sees
	// their item approved and in an issue.
	step(t, ctx, "dashboard", chromedp.Navigate(base+"/admin/"), chromedp.WaitVisible(chromedp.CSS("#next-weekly")))
	if got := text(t, ctx, "#next-weekly"); !strings.Contains(got, "Number 2") {
		t.Fatalf("dashboard next issue: %q", got)
	}
	shots.shot("dashboard")
	browserLogout(t, ctx)
	browserLogin(t, ctx, base, "ann@example.org", "ann-password-1")
	if got := text(t, ctx, "#mine"); !strings.Contains(got, "approved") || !strings.Contains(got, "in an issue") {
		t.Fatalf("contributor's items after sending: %q", got)
	}
}
