package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"

	"github.com/alexedwards/scs/pgxstore"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// With a brand set, the public pages and the archived email show it in
// Debian's chromium: the header band in the accent with text that reads on
// it (a light and a dark accent), the logo, the organisation line; axe-core
// finds no violation on any of them. BRAND_SCREENSHOTS names a folder for
// screenshots (never committed).
func TestBrandInBrowser(t *testing.T) {
	axe := axeSource(t)
	s, db := fullServer(t)
	s.Compiler = compiler(t, db)
	ts := serve(t, s)
	ctx := context.Background()
	fixture.List(t, db, &bulletin.List{Slug: "readers", Name: "Readers", Public: true})
	// A logo on loopback: tests reach no other host. It does not load; the
	// pages must stay accessible when a logo is missing.
	logo, org, addr := "https://127.0.0.1:9/logo.png", "Riverside Council", "1 High Street\nRiverside RV1 2AB"
	if _, err := db.UpdateNewsletter(ctx, "weekly", bulletin.NewsletterUpdate{LogoURL: &logo, OrgName: &org, OrgAddress: &addr}); err != nil {
		t.Fatal(err)
	}
	fixture.Item(t, db, &bulletin.Item{Title: "Ward budgets open", Body: "Propose a project by **5 December**.",
		URL: "https://example.org/budgets", Status: bulletin.ItemApproved})
	fixture.Item(t, db, &bulletin.Item{Title: "Repair café", Body: "Bring a lamp.", URL: "https://example.org/repair",
		Status: bulletin.ItemApproved})
	is, err := s.Compiler.Compile(ctx, "weekly", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sent', sent_at = now() WHERE id = $1`, is.ID); err != nil {
		t.Fatal(err)
	}

	b := newArchiveBrowser(t)
	if err := chromedp.Do(b, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		// Axe runs under our policy; the pages' max-age must not hide the
		// accent's change between the two rounds.
		if _, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("BRAND_SCREENSHOTS")
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	for _, accent := range []struct{ colour, bg, text string }{
		{"#ffd500", "rgb(255, 213, 0)", "rgb(0, 0, 0)"},       // light: black text
		{"#1a4f9c", "rgb(26, 79, 156)", "rgb(255, 255, 255)"}, // dark: white text
	} {
		c := accent.colour
		if _, err := db.UpdateNewsletter(ctx, "weekly", bulletin.NewsletterUpdate{AccentColor: &c}); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/subscribe/readers", "/contribute/weekly", "/privacy/weekly", "/unsubscribe/0123456789abcdefghij",
			"/archive/weekly/", "/archive/weekly/1", "/archive/weekly/search?q=budgets"} {
			what := path + " " + c
			if err := chromedp.Do(b, chromedp.Navigate(ts.URL+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got := eval(`getComputedStyle(document.querySelector('header.site')).backgroundColor`); got != accent.bg {
				t.Errorf("%s: header background %s, want %s", what, got, accent.bg)
			}
			if got := eval(`getComputedStyle(document.querySelector('header.site .brand')).color`); got != accent.text {
				t.Errorf("%s: brand text %s, want %s", what, got, accent.text)
			}
			if got, err := chromedp.Run(b, chromedp.Evaluate[float64](fmt.Sprintf(archiveContrastJS, "header.site a:not(.button), header.site span"))); err != nil || got < 4.5 {
				t.Errorf("%s: lowest header text contrast %.2f (%v), want at least 4.5", what, got, err)
			}
			if got := eval(`document.querySelector('header.site .brand-logo')?.getAttribute('src') || ''`); got != logo {
				t.Errorf("%s: logo %q", what, got)
			}
			if got := eval(`document.querySelector('footer.site .brand-org')?.textContent || ''`); got != "Riverside Council, 1 High Street, Riverside RV1 2AB" {
				t.Errorf("%s: organisation line %q", what, got)
			}
			axeCheck(t, b, axe, what)
			if shots != "" {
				if png, err := chromedp.Run(b, chromedp.FullScreenshot(100)); err == nil {
					name := strings.NewReplacer("/", "_", "?", "_", "#", "").Replace(what) + ".png"
					_ = os.WriteFile(filepath.Join(shots, name), png, 0o644)
				}
			}
		}
	}

	// The archived email: rendered at compile, so it has the accent it was
	// compiled with (#1a4f9c was not yet set: none). Axe over it, and its
	// footer offers Subscribe, not the personal links.
	if err := chromedp.Do(b, chromedp.Navigate(ts.URL+"/archive/weekly/1/email"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	axeCheck(t, b, axe, "archived email")
	footer := eval(`document.querySelector('[role=contentinfo]').innerText`)
	if !strings.Contains(footer, "Subscribe to get every issue by email.") || strings.Contains(footer, "Unsubscribe") ||
		strings.Contains(footer, "preferences") || !strings.Contains(footer, "Riverside Council") {
		t.Errorf("archived email footer:\n%s", footer)
	}
	names := eval(`[...document.querySelectorAll('a.more')].map(a => a.getAttribute('aria-label')).join('|')`)
	if names != "Read more: Ward budgets open|Read more: Repair café" {
		t.Errorf("Read more names = %q", names)
	}
	if shots != "" {
		if png, err := chromedp.Run(b, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(shots, "archived-email.png"), png, 0o644)
		}
	}
}

// An admin sets the brand in the newsletter form in chromium: a logo that is
// not https is refused with the field marked and focus on the error; fixed,
// it saves, and the subscribe page shows the band and the organisation line.
func TestBrandFormInBrowser(t *testing.T) {
	axe := axeSource(t)
	db := pgtest.New(t)
	ctx := context.Background()
	fixture.List(t, db, &bulletin.List{Slug: "readers", Name: "Readers", Public: true})
	s := wired(db)
	s.Sessions, s.Compiler = pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}
	ts := serveAs(t, s, asRole(bulletin.RoleAdmin))
	b := newArchiveBrowser(t)
	shots := os.Getenv("BRAND_SCREENSHOTS")
	shot := func(name string) {
		if shots == "" {
			return
		}
		if png, err := chromedp.Run(b, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	str := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}

	do("open the form", chromedp.Navigate(ts.URL+"/admin/newsletters/weekly"), chromedp.WaitVisible(chromedp.CSS("#brand")))
	do("fill a bad logo", chromedp.SetValue(chromedp.CSS("#logo_url"), "http://127.0.0.1:9/logo.png"),
		chromedp.SetValue(chromedp.CSS("#accent_color"), "#ffd500"), chromedp.SetValue(chromedp.CSS("#org_name"), "Riverside Council"),
		chromedp.SetValue(chromedp.CSS("#org_address"), "1 High Street\nRiverside RV1 2AB"),
		chromedp.Click(chromedp.CSS(`#newsletter button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#error-summary")))
	if got := str(`document.title`); !strings.HasPrefix(got, "Error: ") {
		t.Errorf("title after a refused form %q, want it to start with Error:", got)
	}
	if got := str(`document.getElementById('error-message').textContent`); !strings.Contains(got, "logo URL must start with https://") {
		t.Errorf("error message %q", got)
	}
	if got := str(`document.getElementById('logo_url').getAttribute('aria-invalid') + ' ' + document.getElementById('logo_url').value`); got != "true http://127.0.0.1:9/logo.png" {
		t.Errorf("logo field after the error: %q, want it marked invalid with the typed value", got)
	}
	if got := str(`document.activeElement.id`); got != "error-summary" {
		t.Errorf("focus on %q after the error, want the error summary", got)
	}
	shot("admin-form-error")
	if n, _ := db.FindNewsletterBySlug(ctx, "weekly"); n.Brand != (bulletin.Brand{}) {
		t.Fatalf("the refused form saved %+v", n.Brand)
	}

	do("fix the logo", chromedp.SetValue(chromedp.CSS("#logo_url"), "https://127.0.0.1:9/logo.png"),
		chromedp.Click(chromedp.CSS(`#newsletter button[type=submit]`)), chromedp.WaitNotPresent(chromedp.CSS("#error-summary")))
	if n, _ := db.FindNewsletterBySlug(ctx, "weekly"); n.Brand.AccentColor != "#ffd500" || n.Brand.LogoURL != "https://127.0.0.1:9/logo.png" {
		t.Fatalf("saved brand %+v", n.Brand)
	}
	shot("admin-form-saved")

	do("open the subscribe page", chromedp.Navigate(ts.URL+"/subscribe/readers"), chromedp.WaitVisible(chromedp.CSS("footer.site .brand-org")))
	if got := str(`getComputedStyle(document.querySelector('header.site')).backgroundColor`); got != "rgb(255, 213, 0)" {
		t.Errorf("header background %s, want the accent", got)
	}
	if got := str(`document.querySelector('footer.site .brand-org').textContent`); got != "Riverside Council, 1 High Street, Riverside RV1 2AB" {
		t.Errorf("organisation line %q", got)
	}
	do("bypass CSP for axe", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	}), chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("body")))
	axeCheck(t, b, axe, "subscribe page after the form")
	shot("subscribe-after-form")
}
