package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A reader subscribes through the form in a real browser, confirms with
// the link from the email, then unsubscribes with the button on the page
// that the unsubscribe link opens.
func TestSubscribeAndUnsubscribeInBrowser(t *testing.T) {
	e := newSubsEnv(t)
	e.list("weekly", true, true)
	ctx, cancel := context.WithTimeout(newArchiveBrowser(t), 60*time.Second)
	defer cancel()
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	do("open the form", chromedp.Navigate(e.ts.URL+"/subscribe/weekly"), chromedp.WaitVisible(chromedp.CSS("#email")))
	do("fill and send",
		chromedp.SendKeys(chromedp.CSS("#email"), "browser.reader@example.org"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Browser Reader"),
		chromedp.Click(chromedp.CSS("#subscribe")),
		chromedp.WaitVisible(chromedp.CSS("#result")))
	if s := text("#result"); !strings.Contains(s, "confirmation link") {
		t.Fatalf("after subscribing: %q", s)
	}
	ms := e.mails()
	if len(ms) != 1 {
		t.Fatalf("%d emails", len(ms))
	}
	do("follow the email's link", chromedp.Navigate(confirmLink(t, ms[0])), chromedp.WaitVisible(chromedp.CSS("#confirm")))
	if s := text("#state"); !strings.Contains(s, "browser.reader@example.org") {
		t.Fatalf("confirmation page: %q", s)
	}
	if got := e.status("browser.reader@example.org"); got != "pending:weekly=pending" {
		t.Fatalf("opening the link confirmed: %s", got)
	}
	do("press confirm", chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#message")))
	if s := text("#heading"); s != "Subscription confirmed" {
		t.Fatalf("after pressing confirm: %q", s)
	}
	if got := e.status("browser.reader@example.org"); got != "active:weekly=active" {
		t.Fatalf("after confirming: %s", got)
	}

	var token string
	e.db.Pool.QueryRow(context.Background(), `SELECT token FROM subscribers`).Scan(&token)
	do("open the unsubscribe link", chromedp.Navigate(e.ts.URL+"/unsubscribe/"+token), chromedp.WaitVisible(chromedp.CSS("#unsubscribe")))
	if s := text("#state"); !strings.Contains(s, "browser.reader@example.org") {
		t.Fatalf("unsubscribe page: %q", s)
	}
	if got := e.status("browser.reader@example.org"); got != "active:weekly=active" {
		t.Fatalf("opening the page unsubscribed: %s", got)
	}
	do("press the button", chromedp.Click(chromedp.CSS("#unsubscribe")), chromedp.WaitVisible(chromedp.CSS("#result")))
	if s := text("#heading"); s != "You are unsubscribed" {
		t.Fatalf("after the button: %q", s)
	}
	if got := e.status("browser.reader@example.org"); got != "unsubscribed:weekly=unsubscribed" {
		t.Fatalf("after the button: %s", got)
	}
}
