package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// archiveBeacon records the paths requested from it: a payload that ran would
// call it, and the stored email's last image proves the frame loaded.
type archiveBeacon struct {
	mu    sync.Mutex
	paths []string
	*httptest.Server
}

func newArchiveBeacon(t *testing.T) *archiveBeacon {
	b := &archiveBeacon{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.paths = append(b.paths, r.URL.Path)
		b.mu.Unlock()
		http.NotFound(w, r)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *archiveBeacon) seen(prefix string) bool { return b.count(prefix) > 0 }

func (b *archiveBeacon) count(prefix string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, p := range b.paths {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

// archiveWaitFor polls cond until it holds or the test's browser context ends.
func archiveWaitFor(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-tick.C:
		}
	}
}

// newArchiveBrowser starts Debian's chromium for this test; the flags are the ones
// a root CI machine needs.
func newArchiveBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.Flag("no-sandbox", os.Getuid() == 0),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// archiveColorScheme makes the page match prefers-color-scheme: scheme.
func archiveColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// archiveContrastJS returns the lowest WCAG contrast ratio between the text colour
// of the visible elements matching the selector and the background behind
// them (the first non-transparent background up the tree).
const archiveContrastJS = `(() => {
  const rgb = s => s.match(/[\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  let min = 21;
  for (const el of document.querySelectorAll('%s')) {
    if (!el.offsetParent && el.tagName !== 'BODY') continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
    min = Math.min(min, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  return min;
})()`

func TestArchiveInBrowser(t *testing.T) {
	t.Parallel()
	bc := newArchiveBeacon(t)
	f := newArchiveFixture(t)
	seedArchive(f, bc.URL)
	ts := serve(t, &Server{Health: f.db, Archive: f.db})
	browser := newArchiveBrowser(t)
	shots := os.Getenv("ARCHIVE_SCREENSHOTS") // a folder to look at the pages; never committed

	for _, width := range []int64{1280, 375} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(browser)
			defer cancel()
			ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
			defer cancelT()
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
				return strings.TrimSpace(s)
			}
			eval := func(js string) float64 {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
				if err != nil {
					t.Fatalf("evaluate: %v", err)
				}
				return v
			}
			check := func(page string) {
				t.Helper()
				// Readable at this width: nothing wider than the window.
				if over := eval(`document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
					t.Errorf("%s at %d px: %v px wider than the window", page, width, over)
				}
				for _, scheme := range []string{"dark", "light"} { // light last: the page stays light
					do("colour scheme", archiveColorScheme(scheme))
					if dark := eval(`matchMedia('(prefers-color-scheme: dark)').matches ? 1 : 0`); dark != map[string]float64{"dark": 1, "light": 0}[scheme] {
						t.Fatalf("the page is not in %s mode", scheme)
					}
					if c := eval(fmt.Sprintf(archiveContrastJS, "body, a, p, li, h1, h2, h3, .meta, mark, label, button, .button")); c < 4.5 {
						t.Errorf("%s in %s mode: lowest text contrast %.2f, want at least 4.5 (AA)", page, scheme, c)
					}
				}
				if n := eval(`document.querySelectorAll('h1').length`); n != 1 {
					t.Errorf("%s: %v h1 elements", page, n)
				}
				if shots != "" {
					png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
					if err == nil {
						_ = os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s-%d.png", page, width)), png, 0o644)
					}
				}
			}
			do("viewport", chromedp.EmulateViewport(width, 900))

			// Index: from / to the default newsletter's archive.
			do("open /", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#latest")))
			if h := text("h1"); h != "Weekly update archive" {
				t.Errorf("index h1 = %q", h)
			}
			latest := text("#latest")
			for _, want := range []string{"Weekly update 5", "Issue 5 · 18 November 2026", "Weekly update 2", "Weekly update 1"} {
				if !strings.Contains(latest, want) {
					t.Errorf("latest issues %q lack %q", latest, want)
				}
			}
			if strings.Contains(latest, "Weekly update 3") {
				t.Error("a draft is listed")
			}
			if got := text("ul.months"); !strings.Contains(got, "November 2026") || !strings.Contains(got, "2 issues") {
				t.Errorf("month index = %q", got)
			}
			check("index")

			// Month page.
			do("open November", chromedp.Click(chromedp.CSS(`a[href="/archive/weekly/2026/11/"]`)),
				chromedp.WaitVisible(chromedp.CSS(".issue-card")))
			if h := text("h1"); h != "Weekly update: November 2026" {
				t.Errorf("month h1 = %q", h)
			}
			month := text("main")
			for _, want := range []string{"The updates sent in November 2026.", "Issue 2 · 4 November 2026", "Park reopens",
				`<script>alert("t")</script> Budget <b>vote</b>`, "Issue 5 · 18 November 2026", "Zebra crossing on Elm Street"} {
				if !strings.Contains(month, want) {
					t.Errorf("month page lacks %q:\n%s", want, month)
				}
			}
			check("month")

			// Issue page: the header, and the email in its frame.
			loads := bc.count("/ok.png")
			do("open issue 2", chromedp.Click(chromedp.CSS(`.issue-card a[href="/archive/weekly/2"]`)),
				chromedp.WaitVisible(chromedp.CSS("iframe.email")))
			if h := text("h1"); h != "Weekly update 2" {
				t.Errorf("issue h1 = %q", h)
			}
			if nav := text(".issue-nav"); !strings.Contains(nav, "← Issue 1") || !strings.Contains(nav, "Issue 5 →") || !strings.Contains(nav, "All issues") {
				t.Errorf("issue nav = %q", nav)
			}
			if w := eval(`document.querySelector('iframe.email').getBoundingClientRect().width`); w < 300 || w > float64(width) {
				t.Errorf("email frame is %v px wide in a %d px window", w, width)
			}
			archiveWaitFor(ctx, t, "the framed email's last image", func() bool { return bc.count("/ok.png") > loads })
			check("issue")

			// Search, from the header.
			do("open search", chromedp.Click(chromedp.CSS(`header .archive-nav a[href="/archive/weekly/search"]`)),
				chromedp.WaitVisible(chromedp.CSS("#q")),
				chromedp.SendKeys(chromedp.CSS("#q"), "budget"),
				chromedp.Submit(chromedp.CSS("#q")),
				chromedp.WaitVisible(chromedp.CSS("ol.hits")))
			if s := text("#summary"); s != "2 results for “budget”" {
				t.Errorf("search summary = %q", s)
			}
			if first := text("ol.hits li h2"); first != `<script>alert("t")</script> Budget <b>vote</b>` {
				t.Errorf("first hit = %q", first)
			}
			if n := eval(`document.querySelectorAll('ol.hits mark').length`); n < 3 {
				t.Errorf("%v highlighted words, want at least 3", n)
			}
			check("search")
			do("search to issue", chromedp.Click(chromedp.CSS(`ol.hits li h2 a`)), chromedp.WaitVisible(chromedp.CSS("iframe.email")))

			// The email on its own: neutral, and no payload ran.
			do("open the email", chromedp.Navigate(ts.URL+"/archive/weekly/2/email"), chromedp.WaitVisible(chromedp.CSS("#greeting")))
			if g := text("#greeting"); g != "Hi there," {
				t.Errorf("greeting = %q", g)
			}
			pwned, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("body"), "data-pwned"))
			if err != nil || pwned.Exists {
				t.Errorf("a payload ran in the email: %+v %v", pwned, err)
			}
			do("click the javascript: link", chromedp.Click(chromedp.CSS("#js")), chromedp.WaitVisible(chromedp.CSS("#greeting")))
		})
	}
	if bc.seen("/pwned") {
		t.Errorf("a payload ran: the beacon saw %v", bc.paths)
	}
	if !bc.seen("/missing.png") {
		t.Error("the broken image was never requested, so its onerror payload was not exercised")
	}
}
