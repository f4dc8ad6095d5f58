package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// a11yControlRoles are the roles whose accessible names a reader hears
// when moving from control to control.
var a11yControlRoles = map[string]bool{"button": true, "link": true, "textbox": true, "combobox": true,
	"checkbox": true, "searchbox": true, "DisclosureTriangle": true}

// axControls returns the accessible names, as chromium computes them, of
// the controls inside the element that js evaluates to.
func (b *a11yBrowser) axControls(js string) []string {
	b.t.Helper()
	obj, err := chromedp.Run(b.ctx, chromedp.Evaluate[*runtime.RemoteObject](js))
	if err != nil || obj.ObjectID == "" {
		b.t.Fatalf("%s: %v", js, err)
	}
	res, err := chromedp.Call(b.ctx, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{ObjectID: obj.ObjectID})
	if err != nil {
		b.t.Fatalf("accessibility tree of %s: %v", js, err)
	}
	var names []string
	for _, n := range res.Nodes {
		if n.Ignored || n.Role == nil || n.Name == nil {
			continue
		}
		var role, name string
		if json.Unmarshal(n.Role.Value, &role) != nil || !a11yControlRoles[role] {
			continue
		}
		if err := json.Unmarshal(n.Name.Value, &name); err != nil {
			b.t.Fatalf("name of a %s: %v", role, err)
		}
		names = append(names, role+" "+strings.Join(strings.Fields(name), " "))
	}
	return names
}

// In the admin's tables and per-list cards, each row's controls have
// names of their own, naming the row's item, address, list, message or
// token: a screen reader moving from control to control hears which row
// each one acts on, not "Approve, Approve, Approve". The empty header of
// an actions column has a name too.
func TestAdminRowControlNamesInBrowser(t *testing.T) {
	site := newA11ySite(t)
	b := newA11yBrowser(t)
	b.login(site.base, admin)

	pages := []struct {
		path, rows, key string // rows: CSS of each row; key: JS giving a row's title from r
		min             int    // controls per row at least
		prepare         string // JS run first
	}{
		{"/admin/items", "#queue tbody tr", "r.dataset.title", 6, ""},
		{"/admin/items?status=rejected", "#queue tbody tr", "r.dataset.title", 4, ""},
		{"/admin/subscribers", "#subscribers tbody tr", "r.cells[0].textContent", 2, ""},
		{"/admin/inbound/", "#inbound tbody tr", "r.cells[4].textContent", 2, ""},
		{site.paths["GET /admin/users/{id}"][0], "#tokens tbody tr", "r.cells[0].textContent", 1, ""},
		{"/admin/settings", "#tokens tbody tr", "r.cells[0].textContent", 1, ""},
		{"/admin/lists", "section.card", "r.querySelector('h2').firstChild.textContent", 10, "document.querySelectorAll('details').forEach(d => d.open = true)"},
		{"/admin/newsletters", "section.card", "r.querySelector('h2 a').textContent", 4, ""},
		{site.paths["GET /admin/issues/{nl}/{number}"][1], "#issue-items li", "r.firstChild.textContent.replace(/ ·\\s*$/, '').replace(/^Lastly, /, '')", 1, ""},
	}
	for _, p := range pages {
		b.do("open "+p.path, chromedp.Navigate(site.base+p.path), chromedp.WaitReady(chromedp.CSS("body")))
		if p.prepare != "" {
			b.eval("(() => { " + p.prepare + "; return ''; })()")
		}
		n := int(b.evalNumber(`document.querySelectorAll(` + jsString(p.rows) + `).length`))
		if n == 0 {
			t.Errorf("%s: no rows %s", p.path, p.rows)
			continue
		}
		seen := map[string]int{}
		for i := 0; i < n; i++ {
			row := `document.querySelectorAll(` + jsString(p.rows) + `)[` + itoa(int64(i)) + `]`
			key := strings.TrimSpace(b.eval(`((r) => ` + p.key + `)(` + row + `)`))
			names := b.axControls(row)
			t.Logf("%s row %q: %q", p.path, key, names)
			if len(names) < p.min {
				t.Errorf("%s row %q: %d controls %q, want at least %d", p.path, key, len(names), names, p.min)
			}
			for _, name := range names {
				if !strings.Contains(name, key) {
					t.Errorf("%s row %q: control %q does not name the row", p.path, key, name)
				}
				if seen[name]++; seen[name] == 2 {
					t.Errorf("%s: two controls are called %q", p.path, name)
				}
			}
		}
		if empty := b.eval(`[...document.querySelectorAll('th')].filter(th => !th.textContent.trim()).length + ''`); empty != "0" {
			t.Errorf("%s: %s table headers without text", p.path, empty)
		}
	}
}

func (b *a11yBrowser) evalNumber(js string) float64 {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
