package web

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/chromedp/chromedp"
)

// steppingSender reports a send of 100 messages that moves 5 further at
// each look, and marks the issue sent once all are out.
type steppingSender struct {
	noSending
	db    *postgres.DB
	looks atomic.Int64
}

func (s *steppingSender) IssueProgress(ctx context.Context, id int64) (*bulletin.Progress, error) {
	sent := int(min(5*s.looks.Add(1), 100))
	if sent == 100 {
		if _, err := s.db.Pool.Exec(ctx, `UPDATE issues SET status = 'sent', sent_at = now() WHERE id = $1 AND status = 'sending'`, id); err != nil {
			return nil, err
		}
	}
	return &bulletin.Progress{Counts: bulletin.Counts{Total: 100, Sent: sent, Pending: 100 - sent}, Rate: 5}, nil
}

// The issue page's live region tells a screen reader how a send goes
// without reading out every poll: the quarters and the end are announced,
// progress in between at most every data-every seconds (10 on the page; 3
// here, so that a 20-second send shows both kinds), and fewer
// announcements are made than the page polls.
func TestSendProgressLiveRegionInBrowser(t *testing.T) {
	db := pgtest.New(t)
	sender := &steppingSender{db: db}
	b := openSendingIssue(t, db, sender)
	if role := b.eval(`document.querySelector('#progress-live').getAttribute('role')`); role != "status" {
		t.Fatalf("the live region's role is %q", role)
	}
	if n := b.evalNumber(`document.querySelectorAll('main [role=status], main [aria-live]').length`); n != 1 {
		t.Errorf("%v live regions on the page, want one (two would say each change twice)", n)
	}
	b.eval(`(() => { document.querySelector('#progress-live').dataset.every = '3'; window.said = []; const el = document.querySelector('#progress-live');
		new MutationObserver(() => window.said.push({t: performance.now(), text: el.textContent}))
			.observe(el, {childList: true, characterData: true, subtree: true}); return ''; })()`)
	archiveWaitFor(b.ctx, t, "the page to announce the end", func() bool {
		return strings.HasPrefix(b.eval(`document.querySelector('#progress-live').textContent`), "Sending finished:")
	})

	var said []struct {
		T    float64 `json:"t"`
		Text string  `json:"text"`
	}
	if err := json.Unmarshal([]byte(b.eval(`JSON.stringify(window.said)`)), &said); err != nil {
		t.Fatal(err)
	}
	looks := sender.looks.Load()
	var texts []string
	for _, a := range said {
		texts = append(texts, a.Text)
	}
	t.Logf("%d polls, %d announcements: %q", looks, len(said), texts)
	if len(said) == 0 {
		t.Fatal("nothing announced")
	}
	if last := texts[len(texts)-1]; last != "Sending finished: 100 of 100 sent." {
		t.Errorf("last announcement %q", last)
	}
	for _, q := range []string{"Sending: 25 % done, 25 of 100 sent.", "Sending: 50 % done, 50 of 100 sent.", "Sending: 75 % done, 75 of 100 sent."} {
		if !strings.Contains(strings.Join(texts, "\n"), q) {
			t.Errorf("no announcement %q", q)
		}
	}
	between := 0 // announcements not at a quarter: made by the clock
	for _, a := range said {
		if p := percentOf(a.Text); strings.HasPrefix(a.Text, "Sending:") && p%25 != 0 {
			between++
		}
	}
	if between == 0 {
		t.Errorf("no progress announced between the quarters")
	}
	if int64(len(said)) >= looks {
		t.Errorf("%d announcements for %d polls: not throttled", len(said), looks)
	}
	// Between two progress announcements within one quarter, the page
	// waited its 3 s (by its own clock).
	quarter := func(text string) int { return percentOf(text) / 25 }
	for i := 1; i < len(said); i++ {
		a, b := said[i-1], said[i]
		if strings.HasPrefix(a.Text, "Sending:") && strings.HasPrefix(b.Text, "Sending:") && quarter(a.Text) == quarter(b.Text) && b.T-a.T < 3000 {
			t.Errorf("%q then %q after %.0f ms", a.Text, b.Text, b.T-a.T)
		}
	}
}

// openSendingIssue serves the admin with delivery as its sending service,
// marks a new issue sending and opens its page in a browser as an editor.
func openSendingIssue(t *testing.T, db *postgres.DB, delivery bulletin.SendingService) *a11yBrowser {
	t.Helper()
	mustUser(t, db, "editor@example.org", bulletin.RoleEditor)
	s := wired(db)
	s.Sessions, s.Compiler, s.Delivery = pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}, delivery
	base := serve(t, s).URL
	is := fixture.Issue(t, db, "")
	if _, err := db.Pool.Exec(context.Background(), `UPDATE issues SET status = 'sending', started_at = now() WHERE id = $1`, is.ID); err != nil {
		t.Fatal(err)
	}
	b := newA11yBrowser(t)
	b.login(base, editor)
	b.do("open the issue", chromedp.Navigate(base+"/admin/issues/weekly/"+itoa(int64(is.Number))), chromedp.WaitReady(chromedp.CSS("#progress-live")))
	return b
}

// percentOf is the first number in an announcement ("Sending: 40 % done…").
func percentOf(text string) int {
	for _, f := range strings.Fields(text) {
		if n, err := json.Number(f).Int64(); err == nil {
			return int(n)
		}
	}
	return -1
}
