package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"

	"github.com/chromedp/chromedp"
)

// On the archive's issue page, the link to the email on its own page
// comes before the email (and so before all of its links), and the email
// is no nested scroll area: its frame takes the email's height, at a
// desktop and a phone width, so the page scrolls as one.
func TestArchiveEmailFrameInBrowser(t *testing.T) {
	f := newArchiveFixture(t)
	nl := f.newsletter("weekly", "Weekly update", true)
	var body strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&body, `<h2 id="item-%d">Item %d</h2><p>Some news, with <a href="https://example.org/%d">a link</a>.</p>`, i, i, i)
	}
	email := `<!doctype html><html lang="en"><head><title>Weekly update 1</title></head><body><div role="main" style="max-width:620px">` +
		body.String() + `</div></body></html>`
	f.issue(nl, 1, bulletin.IssueSent, time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC), email, archiveItem{Title: "Item 1", Body: "Some news."})
	s := wired(f.db)
	s.Archive = f.db
	base := serve(t, s).URL
	browser := newArchiveBrowser(t)

	for _, width := range []int64{1280, 375} {
		ctx, cancel := chromedp.NewContext(browser)
		ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
		eval := func(js string) float64 {
			t.Helper()
			v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
			if err != nil {
				t.Fatalf("evaluate %s: %v", js, err)
			}
			return v
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate(base+"/archive/weekly/1"),
			chromedp.WaitVisible(chromedp.CSS("iframe.email.fitted"))); err != nil {
			t.Fatalf("%d px: %v", width, err)
		}
		// The link precedes the frame in the document, so in tab order.
		if eval(`(() => { const a = [...document.querySelectorAll('main a')].find(a => a.textContent.includes('on its own page'));
			return a && (a.compareDocumentPosition(document.querySelector('iframe.email')) & Node.DOCUMENT_POSITION_FOLLOWING) ? 1 : 0; })()`) != 1 {
			t.Errorf("%d px: the link to the email on its own page does not come before the email", width)
		}
		frameH := eval(`document.querySelector('iframe.email').clientHeight`)
		innerH := eval(`document.querySelector('iframe.email').contentDocument.documentElement.scrollHeight`)
		if innerH <= 800 || frameH < innerH {
			t.Errorf("%d px: frame %v px high for an email of %v px: it scrolls inside the page", width, frameH, innerH)
		}
		if eval(`document.documentElement.scrollHeight`) <= innerH {
			t.Errorf("%d px: the page does not scroll past the email", width)
		}
		cancelT()
		cancel()
	}
}
