package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/capture"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/templates"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// a11yInbound gives the admin UI its Inbound pages on the test store; the
// walk only reads them.
type a11yInbound struct{ *postgres.DB }

func (a11yInbound) ProcessInboundAgain(context.Context, int64) error {
	return bulletin.Errorf(bulletin.EINVALID, "not in this test")
}
func (a11yInbound) MakeInboundItem(context.Context, int64) (int64, error) {
	return 0, bulletin.Errorf(bulletin.EINVALID, "not in this test")
}

// a11ySite is a server with every part wired and a database holding what
// a newsletter has after a few weeks: items in each state, a sent issue
// with deliveries, bounces and clicks, a draft, subscribers, an import,
// captured and inbound mail, tokens and pending links.
type a11ySite struct {
	db    *postgres.DB
	srv   *Server
	base  string
	paths map[string][]string // GET route pattern → the pages to open for it
}

func newA11ySite(t *testing.T) *a11ySite {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	users := map[string]*bulletin.User{}
	for _, role := range []string{bulletin.RoleAdmin, bulletin.RoleEditor, bulletin.RoleContributor} {
		users[role] = mustUser(t, db, role+"@example.org", role)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	nl := fixture.Newsletter(t, db)
	must(db.CreateSection(ctx, nl.Slug, &bulletin.Section{Slug: "around-town", Name: "Around town"}))
	fixture.List(t, db, &bulletin.List{Slug: "readers", Name: "Readers", Description: "The weekly update", Public: true, DoubleOptin: true})
	fixture.List(t, db, &bulletin.List{Slug: "volunteers", Name: "Volunteers"})
	fixture.Readers(t, db, "readers", 3)
	dora := fixture.Subscriber(t, db, "readers", "dora@example.org")
	pending, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "readers", Email: "pending@example.org", Method: bulletin.ConsentForm})
	must(err)

	// Issue 1, sent: two items, deliveries, a bounce, a complaint, clicks.
	sentAt := time.Now().Add(-72 * time.Hour).UTC()
	contributorID := users[bulletin.RoleContributor].ID
	a := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Budget vote on Tuesday", Body: "The council votes on the **budget**.", Status: bulletin.ItemApproved, ContributorID: &contributorID})
	b := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Repair café", Body: "Bring a lamp.", Status: bulletin.ItemApproved, Closing: true})
	sent := fixture.Issue(t, db, "")
	fixture.SentAt(t, db, sent.ID, sentAt)
	fixture.DeliveryCounts(t, db, sent.ID, 4, 3, 1)
	fixture.Inbound(t, db, sent.ID, "bounce", "5.1.1", "a11y-b1")
	fixture.Inbound(t, db, sent.ID, "complaint", "", "a11y-c1")
	fixture.Inbound(t, db, sent.ID, "contribution", "", "a11y-i1")
	_, err = db.Pool.Exec(ctx, `UPDATE inbound_messages SET subject = CASE dedupe_key WHEN 'a11y-b1' THEN 'Undelivered Mail Returned to Sender'
		WHEN 'a11y-c1' THEN 'Complaint about `+sent.Subject+`' ELSE 'Bake sale on Friday' END`)
	must(err)
	fixture.Link(t, db, sent.ID, 1, "https://example.org/budget", a.ID)
	fixture.Link(t, db, sent.ID, 2, "https://example.org/repair", b.ID)
	fixture.Clicks(t, db, sent.ID, 1, sentAt, 4)
	fixture.Clicks(t, db, sent.ID, 2, sentAt.Add(24*time.Hour), 2)
	// The archive shows the stored email: give it one shaped like ours.
	_, err = db.Pool.Exec(ctx, `UPDATE issues SET html = $2 WHERE id = $1`, sent.ID,
		`<!doctype html><html lang="en"><head><title>`+sent.Subject+`</title></head><body><div role="main"><h1>`+sent.Subject+`</h1>`+
			`<h2 id="item-1">Budget vote on Tuesday</h2><p>The council votes on the budget.</p><h2 id="item-2">Lastly, repair café</h2><p>Bring a lamp.</p></div></body></html>`)
	must(err)

	// Issue 2, a draft with one item.
	fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Library opening hours", Body: "Open on Sundays.", Status: bulletin.ItemApproved})
	draft := fixture.Issue(t, db, "")
	// Issue 3, scheduled for next week.
	fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Road works on Elm Street", Body: "From Monday.", Status: bulletin.ItemApproved})
	scheduled := fixture.Issue(t, db, "")
	_, err = db.Pool.Exec(ctx, `UPDATE issues SET status = 'scheduled', scheduled_at = now() + interval '7 days' WHERE id = $1`, scheduled.ID)
	must(err)

	// The review queue: two waiting, one rejected.
	queued := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Park clean-up", Body: "Saturday at ten.", ContributorID: &contributorID})
	fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Choir concert", Body: "Tickets at the door.", Section: "around-town"})
	old := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Last year's fair", Body: "Old news.", ContributorID: &contributorID})
	_, err = db.ReviewItem(ctx, old.ID, bulletin.ItemRejected, "This happened last year.", users[bulletin.RoleEditor])
	must(err)

	// A finished import with a line in error.
	_, err = db.CreateImportJob(ctx, "readers", users[bulletin.RoleAdmin].ID, strings.NewReader("email,name\nnew@example.org,New\nbroken,X\n"), 1<<20)
	must(err)
	job, ok, err := db.ClaimImportJob(ctx, time.Minute)
	if err != nil || !ok {
		t.Fatalf("claim import: %v %v", ok, err)
	}
	must(db.FinishImportJob(ctx, job, &bulletin.ImportResult{Imported: 1, Created: 1,
		Errors: []bulletin.ImportLineError{{Line: 3, Error: "broken is not an email address"}}}, ""))

	// Captured and inbound mail.
	raw := "From: The Editors <news@example.org>\r\nTo: dora@example.org\r\nSubject: Welcome\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Welcome, Dora.</p>\r\n"
	cm := &capture.Message{From: "news@example.org", To: []string{"dora@example.org"}, Subject: "Welcome", Data: []byte(raw)}
	must(db.SaveCapturedMessage(ctx, cm))
	var inboundID int64
	must(db.Pool.QueryRow(ctx, `SELECT id FROM inbound_messages ORDER BY id LIMIT 1`).Scan(&inboundID))

	// Tokens, an invitation and a password reset.
	for _, role := range []string{bulletin.RoleAdmin, bulletin.RoleContributor} {
		_, _, err := db.CreateToken(ctx, users[role].ID, "newsroom script")
		must(err)
	}
	must(db.Invite(ctx, "newcomer@example.org", "Newcomer", bulletin.RoleEditor, users[bulletin.RoleAdmin]))
	must(db.RequestReset(ctx, "contributor@example.org"))
	_, err = db.ProcessResetRequests(ctx, 10)
	must(err)

	s := wired(db)
	s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	s.Templates = templates.Builtin()
	s.Sessions, s.Compiler, s.Delivery, s.Archive = pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}, noSending{}, db
	s.Inbound = a11yInbound{db}
	h, err := s.Handler()
	must(err)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	s.BaseURL = ts.URL

	month := sentAt.Format("2006/01")
	id := func(n int64) string { return fmt.Sprint(n) }
	return &a11ySite{db: db, srv: s, base: ts.URL, paths: map[string][]string{
		"GET /{$}":                               {"/"},
		"GET /archive/{$}":                       {"/archive/"},
		"GET /archive/{nl}/{$}":                  {"/archive/weekly/"},
		"GET /archive/{nl}/{yyyy}/{mm}/{$}":      {"/archive/weekly/" + month + "/"},
		"GET /archive/{nl}/{number}":             {"/archive/weekly/1"},
		"GET /archive/{nl}/{number}/email":       {"/archive/weekly/1/email"},
		"GET /archive/{nl}/search":               {"/archive/weekly/search?q=budget", "/archive/weekly/search?q=nothingmatches"},
		"GET /archive/{nl}/{rest...}":            {"/archive/weekly/nothing-here"},
		"GET /contribute/{nl}":                   {"/contribute/weekly"},
		"GET /privacy/{nl}":                      {"/privacy/weekly"},
		"GET /subscribe/{list}":                  {"/subscribe/readers"},
		"GET /confirm/{token}":                   {"/confirm/" + pending.ConfirmToken},
		"GET /unsubscribe/{token}":               {"/unsubscribe/" + dora.Token},
		"GET /preferences/{token}":               {"/preferences/" + dora.Token},
		"GET /login":                             {"/login"},
		"GET /login/forgot":                      {"/login/forgot"},
		"GET /reset/{token}":                     {lastLink(t, db, bulletin.MailReset, "contributor@example.org"), "/reset/0123456789abcdefghijklmnopqrstuv"},
		"GET /invite/{token}":                    {lastLink(t, db, bulletin.MailInvite, "newcomer@example.org")},
		"GET /admin/{$}":                         {"/admin/"},
		"GET /contribute":                        {"/contribute"},
		"GET /admin/items":                       {"/admin/items", "/admin/items?status=rejected"},
		"GET /admin/items/{id}/edit":             {"/admin/items/" + id(queued.ID) + "/edit"},
		"GET /admin/issues":                      {"/admin/issues"},
		"GET /admin/issues/{nl}/{number}":        {"/admin/issues/weekly/" + id(int64(sent.Number)), "/admin/issues/weekly/" + id(int64(draft.Number)), "/admin/issues/weekly/" + id(int64(scheduled.Number))},
		"GET /admin/issues/{nl}/compile":         {"/admin/issues/weekly/compile"},
		"GET /admin/issues/{nl}/{number}/send":   {"/admin/issues/weekly/" + id(int64(draft.Number)) + "/send"},
		"GET /admin/users":                       {"/admin/users"},
		"GET /admin/users/{id}":                  {"/admin/users/" + id(users[bulletin.RoleContributor].ID)},
		"GET /admin/users/invite":                {"/admin/users/invite"},
		"GET /admin/settings":                    {"/admin/settings"},
		"GET /admin/newsletters":                 {"/admin/newsletters"},
		"GET /admin/newsletters/{nl}":            {"/admin/newsletters/weekly"},
		"GET /admin/lists":                       {"/admin/lists"},
		"GET /admin/imports/{id}":                {"/admin/imports/" + id(job.ID)},
		"GET /admin/subscribers":                 {"/admin/subscribers", "/admin/subscribers?email=dora"},
		"GET /admin/subscribers/{id}":            {"/admin/subscribers/" + id(dora.ID)},
		"GET /admin/reports":                     {"/admin/reports"},
		"GET /admin/issues/{nl}/{number}/report": {"/admin/issues/weekly/" + id(int64(sent.Number)) + "/report"},
		"GET /admin/inbound/{$}":                 {"/admin/inbound/"},
		"GET /admin/inbound/{id}":                {"/admin/inbound/" + id(inboundID)},
		"GET /admin/captured/{$}":                {"/admin/captured/"},
		"GET /admin/captured/{id}":               {"/admin/captured/" + id(cm.ID)},
	}}
}

// a11yNotPages are the GET routes that answer with something other than a
// page of ours, and why.
var a11yNotPages = map[string]string{
	"GET /healthz":                               "JSON",
	"GET /static/":                               "files",
	"GET /favicon.ico":                           "an icon",
	"GET /brand/{nl}/style.css":                  "a newsletter's accent colours, a stylesheet",
	"GET /metrics":                               "Prometheus text",
	"GET /archive/{nl}/feed.atom":                "Atom",
	"GET /r/{issue}/{link}":                      "a redirect",
	"GET /o/{pixel}":                             "an image",
	"GET /admin/login":                           "a redirect to /login",
	"GET /admin":                                 "a redirect to /admin/",
	"GET /admin/issues/{nl}/{number}/report.csv": "CSV",
	"GET /admin/captured/{id}/html":              "a captured email as it was sent, shown in a sandboxed frame",
}

// a11yNavCurrentJS lists the nav links (and the Settings link) whose
// aria-current="page" is wrong: missing on the link to the page shown, or
// on a link elsewhere.
const a11yNavCurrentJS = `(() => {
  const bad = [];
  for (const a of document.querySelectorAll('nav a[href], #settings-link')) {
    const u = new URL(a.href);
    const here = u.pathname === location.pathname && u.search === '';
    const marked = a.getAttribute('aria-current') === 'page';
    if (here !== marked) bad.push(a.getAttribute('href') + (marked ? ' is marked' : ' is not marked'));
  }
  return bad.join('; ');
})()`

// a11yNotFoundPages are the pages of newA11ySite that say something is
// not there.
var a11yNotFoundPages = map[string]bool{
	"/archive/weekly/nothing-here":            true,
	"/reset/0123456789abcdefghijklmnopqrstuv": true,
}

// a11yBrowser is a browser tab that may run axe under our CSP.
type a11yBrowser struct {
	t   *testing.T
	ctx context.Context
	axe string
}

func newA11yBrowser(t *testing.T) *a11yBrowser {
	t.Helper()
	ctx, cancel := context.WithTimeout(newArchiveBrowser(t), 8*time.Minute)
	t.Cleanup(cancel)
	bypass := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true})
		return err
	})
	if err := chromedp.Do(ctx, bypass); err != nil {
		t.Fatal(err)
	}
	return &a11yBrowser{t: t, ctx: ctx, axe: axeSource(t)}
}

func (b *a11yBrowser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *a11yBrowser) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

// check opens path and runs axe over it.
func (b *a11yBrowser) check(base, path, who string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	// The page itself, not a login redirect, a 403 or a 404 from a
	// wrong id (except the pages that are there to say "not found").
	to := path
	if path == "/" || path == "/archive/" {
		to = "/archive/weekly/" // the default newsletter's archive
	}
	if want := a11yNotFoundPages[path]; resp.URL != base+to || (resp.Status != 200) != want {
		b.t.Errorf("%s as %s: got %d from %s", path, who, resp.Status, resp.URL)
	}
	b.do("wait for "+path, chromedp.WaitReady(chromedp.CSS("body")))
	b.axe2(path + " as " + who)
	// The navs mark the link to this page, and only that one.
	if bad := b.eval(a11yNavCurrentJS); bad != "" {
		b.t.Errorf("%s as %s: aria-current: %s", path, who, bad)
	}
}

// axe2 runs axe over the page in the light colour scheme, then the dark
// one (contrast is checked in both).
func (b *a11yBrowser) axe2(what string) {
	b.t.Helper()
	axeCheck(b.t, b.ctx, b.axe, what)
	b.do("dark", archiveColorScheme("dark"))
	axeCheck(b.t, b.ctx, b.axe, what+" (dark)")
	b.do("light", archiveColorScheme("light"))
}

// login logs in through the form as role; the browser must be logged out.
func (b *a11yBrowser) login(base, role string) {
	b.t.Helper()
	b.do("open login", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
	b.eval(`(() => { for (const s of ['#email', '#password']) document.querySelector(s).value = ''; return ''; })()`)
	b.do("log in as "+role,
		chromedp.SendKeys(chromedp.CSS("#email"), role+"@example.org"),
		chromedp.SendKeys(chromedp.CSS("#password"), "secret-"+role),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("form.logout")))
}

func (b *a11yBrowser) logout() {
	b.t.Helper()
	b.do("log out", chromedp.Click(chromedp.CSS("form.logout button")), chromedp.WaitNotPresent(chromedp.CSS("form.logout")))
	if got := b.eval(`document.querySelector('form.logout') ? 'in' : 'out'`); got != "out" {
		b.t.Fatal("still logged in after Log out")
	}
}

// failForm opens path, lets prepare (JavaScript) break the form past the
// browser's own checks, submits it with the button submit and, once the
// page answering it shows wait, runs axe over that page.
func (b *a11yBrowser) failForm(base, path, who, prepare, submit, wait string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(base+path), chromedp.WaitReady(chromedp.CSS(submit)))
	b.eval(`(() => { for (const f of document.forms) f.noValidate = true; ` + prepare + `; return ''; })()`)
	b.do("submit "+path, chromedp.Click(chromedp.CSS(submit)), chromedp.WaitVisible(chromedp.CSS(wait)))
	if title := b.eval(`document.title`); !strings.HasPrefix(title, "Error: ") {
		b.t.Errorf("%s as %s after a failed form: title %q has no Error: prefix", path, who, title)
	}
	// The focus is on the error, where a keyboard or screen-reader user
	// starts reading.
	if at := b.eval(`(() => { const e = document.activeElement; return e && e.closest(` + jsString(wait) + `) ? '' : (e ? e.tagName + '#' + e.id : 'nothing'); })()`); at != "" {
		b.t.Errorf("%s as %s after a failed form: the focus is on %s, not on %s", path, who, at, wait)
	}
	b.axe2(path + " after a failed form as " + who)
}

var a11yRoleRank = map[string]int{anyone: 0, contributor: 1, editor: 2, admin: 3}

// Every page of the route table passes axe-core with no violation, as
// every role that may open it, on a database with realistic data, and so
// do the pages after a failed form (public and admin).
func TestAccessibilityOfEveryPageInBrowser(t *testing.T) {
	site := newA11ySite(t)
	b := newA11yBrowser(t)

	// The table is the list of pages: a new GET route must say here how
	// to open it, or why it is not a page.
	var pages []route
	for _, rt := range site.srv.table {
		if !strings.HasPrefix(rt.Pattern, "GET ") || rt.isAPI() {
			continue
		}
		if _, ok := a11yNotPages[rt.Pattern]; ok {
			continue
		}
		if _, ok := site.paths[rt.Pattern]; !ok {
			t.Errorf("GET route %s: no page to open in this test (add it to newA11ySite, or to a11yNotPages with the reason)", rt.Pattern)
			continue
		}
		pages = append(pages, rt)
	}

	checked := 0
	for _, role := range []string{anyone, contributor, editor, admin} {
		who := role
		if role == anyone {
			who = "anonymous"
		} else {
			b.login(site.base, role)
		}
		for _, rt := range pages {
			if a11yRoleRank[rt.Role] > a11yRoleRank[role] || (role != anyone && rt.Role == anyone && !strings.HasPrefix(rt.Pattern, "GET /contribute/")) {
				continue // public pages are the same for everyone: checked anonymously
			}
			for _, p := range site.paths[rt.Pattern] {
				b.check(site.base, p, who)
				checked++
			}
		}
		if role != anyone {
			b.logout()
		}
	}

	t.Logf("axe ran over %d pages of %d GET page routes", checked, len(pages))

	// Failed forms, public then admin.
	b.failForm(site.base, "/login", "anonymous", `document.querySelector('#email').value = 'admin@example.org'; document.querySelector('#password').value = 'wrong password'`, "#login", "#error-summary")
	b.failForm(site.base, "/subscribe/readers", "anonymous", `document.querySelector('#email').value = 'not an address'`, "#subscribe", "#error-summary")
	b.failForm(site.base, site.paths["GET /preferences/{token}"][0], "anonymous", `document.querySelector('#name').value = 'x'.repeat(300)`, "#save", "#error-summary")
	b.failForm(site.base, "/login/forgot", "anonymous", `document.querySelector('#email').value = 'not an address'`, "#send-link", "#forgot-error")

	b.login(site.base, contributor)
	b.failForm(site.base, "/contribute", "contributor", `document.querySelector('#title').value = ''`, "#do-submit", "#error-summary")
	b.failForm(site.base, "/admin/settings", "contributor", `document.querySelector('#p-current').value = 'wrong password'; document.querySelector('#p-new').value = 'a new password 1'; document.querySelector('#p-new2').value = 'a new password 1'`, "#change-password", "#form-error")
	b.logout()

	b.login(site.base, editor)
	b.failForm(site.base, site.paths["GET /admin/items/{id}/edit"][0], "editor", `document.querySelector('#title').value = ''`, "#do-save", "#error-summary")
	b.logout()

	b.login(site.base, admin)
	b.failForm(site.base, "/admin/lists", "admin", `document.querySelector('#l-slug').value = 'Not A Slug!'; document.querySelector('#l-name').value = 'Broken'`, "#add-list button[type=submit]", "#error-summary")
	b.failForm(site.base, "/admin/users", "admin", `document.querySelector('#u-email').value = 'not an address'`, "#add-user button[type=submit]", "#error-summary")
	b.failForm(site.base, "/admin/newsletters/weekly", "admin", `document.querySelector('#schedule').value = 'every now and then'`, "#newsletter button[type=submit]", "#error-summary")
	b.failForm(site.base, "/admin/subscribers", "admin", `document.querySelector('#s-email').value = 'not an address'`, "#add-subscriber button[type=submit]", "#error-summary")
	b.failForm(site.base, "/admin/users/invite", "admin", `document.querySelector('#i-email').value = 'not an address'`, "#send-invite", "#form-error")
	b.logout()
}
