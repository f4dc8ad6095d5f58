package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeSource reads axe-core's axe.min.js, which .ci/run installs from npm:
// from BULLETIN_AXE_JS, or the cache folder .ci/run uses. A machine without
// it fails the test: the accessibility check is never skipped.
func axeSource(t *testing.T) string {
	t.Helper()
	paths := []string{os.Getenv("BULLETIN_AXE_JS")}
	if dir, err := os.UserCacheDir(); err == nil {
		paths = append(paths, filepath.Join(dir, "bulletin-ci", "node_modules", "axe-core", "axe.min.js"))
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	t.Fatalf("axe-core not found (tried %q): run .ci/run, or npm install --prefix DIR axe-core@4 and set BULLETIN_AXE_JS=DIR/node_modules/axe-core/axe.min.js", paths)
	return ""
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeCheck runs axe-core over the page loaded in ctx and fails the test on
// any violation, naming the rule and the elements.
func axeCheck(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axe+";0")); err != nil {
		t.Fatalf("%s: load axe: %v", what, err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v =>
			({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", what, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("%s: axe result %q: %v", what, out, err)
	}
	for _, v := range vs {
		t.Errorf("%s: axe %s (%s): %s at %s", what, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
}

// Every public page passes axe-core with no violation. (Admin pages need a
// real login in the browser: not covered here yet.)
func TestAccessibilityInBrowser(t *testing.T) {
	axe := axeSource(t)
	f := newArchiveFixture(t)
	ctx := context.Background()
	nl := f.newsletter("weekly", "Weekly update", true)
	email := `<!doctype html><html lang="en"><head><title>Weekly update 1</title></head><body><div role="main"><h1>Weekly update 1</h1><a name="item-1"></a><h2>Budget vote</h2><p>The budget vote is on Tuesday.</p></div></body></html>`
	f.issue(nl, 1, bulletin.IssueSent, time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC), email,
		archiveItem{Title: "Budget vote", Body: "The budget vote is on Tuesday. Come along.", Source: "By Jane"})
	f.exec(`INSERT INTO items (newsletter_id, title, body, status, position) VALUES ($1, 'Repair café', 'Bring a **lamp**.', 'submitted', 1)`, nl)
	var item int64
	if err := f.db.Pool.QueryRow(ctx, `SELECT id FROM items WHERE issue_id IS NULL`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddSubscriber(ctx, bulletin.SubscribeRequest{List: "weekly-readers", Email: "dora@example.org", Name: "Dora", Confirmed: true}, nil); err != nil {
		t.Fatal(err)
	}
	subs, err := f.db.SearchSubscribers(ctx, "dora", 1)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriber: %v %v", subs, err)
	}

	withArchive := func() *Server { s := wired(f.db); s.Archive = f.db; return s }
	anon := serveAs(t, withArchive(), nil)
	b := newArchiveBrowser(t)
	bypass := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { // lets axe run under our policy
		_, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	})
	if err := chromedp.Do(b, bypass); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ base, path string }{
		{anon.URL, "/archive/weekly/"},
		{anon.URL, "/archive/weekly/2026/11/"},
		{anon.URL, "/archive/weekly/1"},
		{anon.URL, "/archive/weekly/1/email"},
		{anon.URL, "/archive/weekly/search?q=budget"},
		{anon.URL, "/archive/weekly/nothing-here"},
		{anon.URL, "/subscribe/weekly-readers"},
	}
	for _, p := range pages {
		if err := chromedp.Do(b, chromedp.Navigate(p.base+p.path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		axeCheck(t, b, axe, p.path)
	}

}
