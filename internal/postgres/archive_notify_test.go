package postgres_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/pgtest"
)

// Every committed change the archive shows bumps the version (once per
// transaction) and notifies; changes it does not show leave it alone.
func TestArchiveVersionTriggers(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	f := archiveFixture{t: t, db: db}
	nl := f.newsletter("weekly", true)
	sentAt := time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC)
	f.issue(nl, 1, "sent", sentAt, "Park reopens", "Budget vote")
	f.issue(nl, 2, "draft", time.Time{}, "Draft item")
	f.issue(nl, 3, "sending", time.Time{}, "Sending item")
	exec := func(sql string) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO lists (slug, name, public) VALUES ('readers', 'Readers', false)`)

	changed := make(chan struct{}, 100)
	listenCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- db.ListenArchive(listenCtx, func() { changed <- struct{}{} })
	}()
	t.Cleanup(func() { stop(); <-done })
	select { // the first call: listening
	case <-changed:
	case <-time.After(30 * time.Second):
		t.Fatal("ListenArchive never started")
	}

	version := func() int64 {
		t.Helper()
		v, err := db.ArchiveVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name  string
		sql   []string
		bumps bool
	}{
		{"a sent issue's item renamed", []string{`UPDATE items SET title = 'Park reopens on Monday' WHERE title = 'Park reopens'`}, true},
		{"a sent issue's items reordered, two rows in one statement", []string{`UPDATE items SET issue_position = 3 - issue_position WHERE issue_id = (SELECT id FROM issues WHERE number = 1)`}, true},
		{"a list made public", []string{`UPDATE lists SET public = true WHERE slug = 'readers'`}, true},
		{"a list added to the newsletter", []string{`INSERT INTO newsletter_lists (newsletter_id, list_id) SELECT n.id, l.id FROM newsletters n, lists l WHERE l.slug = 'readers'`}, true},
		{"the newsletter's description", []string{`UPDATE newsletters SET description = 'New words' WHERE slug = 'weekly'`}, true},
		{"a sending issue finished", []string{`UPDATE issues SET status = 'sent', sent_at = now() WHERE number = 3`}, true},
		{"a sent issue deleted", []string{`DELETE FROM issues WHERE number = 3`}, true},
		{"a draft's item renamed", []string{`UPDATE items SET title = 'Draft item 2' WHERE title = 'Draft item'`}, false},
		{"a draft's HTML", []string{`UPDATE issues SET html = '<p>new</p>' WHERE number = 2`}, false},
		{"a sent issue's updated_at", []string{`UPDATE issues SET updated_at = now() WHERE number = 1`}, false},
		{"a private list renamed", []string{`UPDATE lists SET name = 'Our readers' WHERE slug = 'readers'`}, false},
		{"the newsletter's next number", []string{`UPDATE newsletters SET last_number = 10 WHERE slug = 'weekly'`}, false},
	} {
		before := version()
		tx, err := db.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, sql := range c.sql {
			if _, err := tx.Exec(ctx, sql); err != nil {
				t.Fatalf("%s: %s: %v", c.name, sql, err)
			}
		}
		// Other connections see no bump before the commit.
		if v := version(); v != before {
			t.Fatalf("%s: version %d before commit, was %d", c.name, v, before)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatalf("%s: commit: %v", c.name, err)
		}
		after := version()
		switch {
		case c.bumps && after != before+1:
			t.Errorf("%s: version %d → %d, want one bump", c.name, before, after)
		case c.bumps:
			select {
			case <-changed:
			case <-time.After(30 * time.Second):
				t.Errorf("%s: no notification", c.name)
			}
		case after != before:
			t.Errorf("%s: version %d → %d, want unchanged", c.name, before, after)
		}
	}
	if len(changed) != 0 {
		t.Errorf("%d notifications for changes the archive does not show", len(changed))
	}
}
