package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReportsInBrowser opens the issue report, the Reports page and the
// dashboard in Debian's chromium at 1280 and 375 px, light and dark: each
// chart is drawn with its title and its data table, and the SVG scales to
// the window. REPORT_SCREENSHOTS names a folder for screenshots.
func TestReportsInBrowser(t *testing.T) {
	t.Parallel()
	db, base := reportServer(t)
	seedReport(t, db)
	browser := newArchiveBrowser(t)
	shots := os.Getenv("REPORT_SCREENSHOTS")

	pages := []struct {
		name, path string
		charts     []string // chart-block ids that must be there
	}{
		{"report", "/admin/issues/weekly/1/report", []string{"clicks-days"}},
		{"reports", "/admin/reports", []string{"growth-readers-active", "growth-readers-changes"}},
		{"dashboard", "/admin/", []string{"weekly-growth-readers-active", "weekly-growth-readers-changes"}},
	}
	for _, width := range []int64{1280, 375} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(browser)
			defer cancel()
			ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
			defer cancelT()
			do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(ctx, actions...); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			eval := func(js string) float64 {
				t.Helper()
				v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
				if err != nil {
					t.Fatalf("evaluate %s: %v", js, err)
				}
				return v
			}
			do("viewport", chromedp.EmulateViewport(width, 900))
			for _, p := range pages {
				do("open "+p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS("#"+p.charts[0]+"-block svg")))
				for _, id := range p.charts {
					svg := fmt.Sprintf(`document.querySelector('#%s-block svg.chart')`, id)
					if n := eval(fmt.Sprintf(`(%s?.querySelector('title')?.textContent || '').length`, svg)); n < 10 {
						t.Errorf("%s: chart %s has no title", p.name, id)
					}
					if n := eval(fmt.Sprintf(`%s.querySelectorAll('rect:not(.series), circle').length`, svg)); n == 0 {
						t.Errorf("%s: chart %s draws nothing", p.name, id)
					}
					if n := eval(fmt.Sprintf(`document.querySelectorAll('#%s-table tbody tr').length`, id)); n == 0 {
						t.Errorf("%s: chart %s has no data table", p.name, id)
					}
					w := eval(fmt.Sprintf(`%s.getBoundingClientRect().width`, svg))
					h := eval(fmt.Sprintf(`%s.getBoundingClientRect().height`, svg))
					if w <= 0 || w > float64(width) || h <= 0 || h > w {
						t.Errorf("%s at %d px: chart %s is %.0f×%.0f px", p.name, width, id, w, h)
					}
					if width == 375 && w < 300 {
						t.Errorf("%s at 375 px: chart %s is only %.0f px wide", p.name, id, w)
					}
				}
				if over := eval(`document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
					t.Errorf("%s at %d px: %v px wider than the window", p.name, width, over)
				}
				for _, scheme := range []string{"dark", "light"} {
					do("colour scheme", archiveColorScheme(scheme))
					// Bars take their colour from chart.css: a CSP-refused or
					// missing stylesheet would leave SVG's default black.
					fill := eval(fmt.Sprintf(`(() => { const c = getComputedStyle(document.querySelector('#%s-block svg .series')).fill; return c === 'rgb(0, 0, 0)' ? 0 : 1; })()`, p.charts[0]))
					if fill != 1 {
						t.Errorf("%s in %s mode: the chart is not styled", p.name, scheme)
					}
					if shots != "" {
						png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
						if err == nil {
							_ = os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s-%d-%s.png", p.name, width, scheme)), png, 0o644)
						}
					}
				}
			}
		})
	}
}
