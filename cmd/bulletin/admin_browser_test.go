package main

import (
	"context"
	"strings"
	"testing"

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
	addUser(t, m.DB, "ann@example.org", "contributor", "ann-password-1")
	addUser(t, m.DB, "ed@example.org", "editor", "ed-password-12")
	ctx := browser(t)
	shots := newShooter(t, ctx)

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
	shots.shot("issue-compiled")
	// The preview is sandboxed: an opaque origin the page cannot script.
	opaque, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#preview').contentDocument === null`))
	if err != nil || !opaque {
		t.Fatalf("the preview iframe is scriptable from the admin page (opaque=%v, err=%v)", opaque, err)
	}
}
