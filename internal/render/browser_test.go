package render_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bulletin/internal/bulletin"

	"github.com/chromedp/chromedp"
)

// layout is what the page reports about itself in the browser.
type layout struct {
	Highlights, VisibleHighlights int
	Items, VisibleItems           int
	ScrollWidth, InnerWidth       int
	PreheaderShown                bool
	JumpScrolled                  bool
}

const measure = `(() => {
  const vis = el => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden' && r.left >= 0 && r.right <= innerWidth + 1; };
  const hl = [...document.querySelectorAll('a[href^="#item-"]')];
  const items = [...document.querySelectorAll('a[name^="item-"]')].map(a => a.parentElement);
  const last = document.querySelector('a[name="item-' + items.length + '"]');
  last.scrollIntoView();
  const jumped = scrollY > 0;
  scrollTo(0, 0);
  return {Highlights: hl.length, VisibleHighlights: hl.filter(vis).length,
    Items: items.length, VisibleItems: items.filter(vis).length,
    ScrollWidth: document.documentElement.scrollWidth, InnerWidth: innerWidth,
    PreheaderShown: vis(document.querySelector('.preheader')), JumpScrolled: jumped};
})()`

// TestEmailInBrowser renders the inlined, personalised email in Debian's
// chromium at desktop and phone widths: every highlight and item shows,
// nothing overflows sideways, the preheader stays hidden.
func TestEmailInBrowser(t *testing.T) {
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("chromium is required (apt-get install -y chromium): ", err)
	}
	in := bigIssue(30)
	out, err := mustRenderer(t).Render(in)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := bulletin.NewPersonalizer(out.HTML, out.Text).Apply(bulletin.Personal{
		UnsubscribeURL: "https://b.example/u/x", PreferencesURL: "https://b.example/p/x", Name: "Ana"})
	file := filepath.Join(t.TempDir(), "issue.html")
	if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("no-sandbox", os.Getuid() == 0),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	for _, width := range []int64{600, 375} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800), chromedp.Navigate("file://"+file)); err != nil {
			t.Fatalf("%d px: %v", width, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](measure))
		if err != nil {
			t.Fatalf("%d px: %v", width, err)
		}
		n := len(in.Items)
		if got.Highlights != n || got.VisibleHighlights != n {
			t.Errorf("%d px: %d of %d highlights visible, want %d", width, got.VisibleHighlights, got.Highlights, n)
		}
		if got.Items != n || got.VisibleItems != n {
			t.Errorf("%d px: %d of %d items visible, want %d", width, got.VisibleItems, got.Items, n)
		}
		if got.ScrollWidth > got.InnerWidth {
			t.Errorf("%d px: page is %d px wide, wider than the %d px viewport", width, got.ScrollWidth, got.InnerWidth)
		}
		if got.PreheaderShown {
			t.Errorf("%d px: the preheader is visible", width)
		}
		if !got.JumpScrolled {
			t.Errorf("%d px: jumping to the last item did not scroll", width)
		}
	}
	title, err := chromedp.Run(ctx, chromedp.Text("h1"))
	if err != nil || title != "Weekly update 61 — 18 November 2026" {
		t.Errorf("title = %q, %v", title, err)
	}
}
