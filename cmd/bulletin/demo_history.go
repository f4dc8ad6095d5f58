package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"
	"bulletin/internal/schedule"

	"github.com/jackc/pgx/v5"
)

// parseDemoHistory reads demoHistoryText's format: "==" starts an issue,
// every other non-blank line is "section | title | body | url | source".
// Each item goes through content.PrepareItem, as a contributed one does.
func parseDemoHistory(text string) ([][]demoItem, error) {
	var weeks [][]demoItem
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case line == "==":
			weeks = append(weeks, nil)
			continue
		case len(weeks) == 0:
			return nil, fmt.Errorf("demo history line %d: an item before the first \"==\"", n+1)
		}
		f := strings.Split(line, "|")
		if len(f) != 5 {
			return nil, fmt.Errorf("demo history line %d: %d fields, want 5 (section | title | body | url | source)", n+1, len(f))
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		it := bulletin.Item{Kind: bulletin.KindArticle, Title: f[1], Body: f[2], URL: f[3], Source: f[4]}
		if it.Body == "" {
			it.Kind = bulletin.KindLink
		}
		if err := content.PrepareItem(&it); err != nil {
			return nil, fmt.Errorf("demo history line %d: %w", n+1, err)
		}
		d := demoItem{section: f[0], kind: it.Kind, title: it.Title, body: it.Body, html: it.BodyHTML, url: it.URL, source: it.Source}
		switch f[0] {
		case "-":
			d.section = ""
		case "lastly":
			d.section, d.closing = "", true
		}
		weeks[len(weeks)-1] = append(weeks[len(weeks)-1], d)
	}
	return weeks, nil
}

// demoSlots returns the last n slots of the schedule spec before now,
// oldest first: the times the scheduler would have compiled the history.
func demoSlots(spec string, loc *time.Location, now time.Time, n int) ([]time.Time, error) {
	s, err := schedule.Parse(spec, loc)
	if err != nil {
		return nil, err
	}
	var slots []time.Time
	for t := s.Next(now.AddDate(-1, 0, 0)); !t.IsZero() && t.Before(now); t = s.Next(t) {
		if slots = append(slots, schedule.Slot(s, t)); len(slots) > n {
			slots = slots[1:]
		}
	}
	if len(slots) < n {
		return nil, fmt.Errorf("schedule %q has %d slots in the past year, the demo history needs %d", spec, len(slots), n)
	}
	return slots, nil
}

// seedDemoHistory compiles one issue per week of history at that week's
// schedule slot, through the real compile stage: the week's items are
// approved the day before, the compiler's clock reads the slot, so the
// issue carries the slot's date and, the demo newsletter sending on its
// own, is scheduled at the slot. The sender pool then mails each one to
// the demo readers once the demo runs, oldest first, and
// backdateDemoHistory moves the send's times back to the slot.
func seedDemoHistory(ctx context.Context, m *Main, nl *bulletin.Newsletter, weeks [][]demoItem) error {
	slots, err := demoSlots(nl.Schedule, nil, time.Now(), len(weeks))
	if err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	c, err := m.newCompiler()
	if err != nil {
		return err
	}
	for i, items := range weeks {
		slot := slots[i]
		err := pgx.BeginFunc(ctx, m.DB.Pool, func(tx pgx.Tx) error {
			return insertDemoItems(ctx, tx, nl.ID, items, slot.Add(-24*time.Hour))
		})
		if err != nil {
			return fmt.Errorf("demo history week %d: %w", i+1, err)
		}
		c.Now = func() time.Time { return slot }
		is, err := c.Compile(ctx, nl.Slug, &slot, false)
		if err != nil {
			return fmt.Errorf("demo history week %d: %w", i+1, err)
		}
		// The send report of a send five months ago went out then: the
		// notifier is not to mail twenty of them to the admin today.
		if _, err := m.DB.Pool.Exec(ctx, `UPDATE issues SET notified_at = $2 WHERE id = $1`, is.ID, slot); err != nil {
			return fmt.Errorf("demo history issue %d: %w", is.Number, err)
		}
	}
	return nil
}

// insertDemoItems adds items to the newsletter as approved at approved,
// submitted three days before.
func insertDemoItems(ctx context.Context, tx pgx.Tx, nl int64, items []demoItem, approved time.Time) error {
	for i, it := range items {
		if _, err := tx.Exec(ctx, `INSERT INTO items (newsletter_id, section_id, kind, title, body, body_html, url, source,
			closing, status, position, approved_at, created_at, updated_at)
			VALUES ($1, (SELECT id FROM sections WHERE newsletter_id = $1 AND slug = $2), $3, $4, $5, $6, $7, $8, $9, 'approved', $10,
				$11, $11::timestamptz - interval '3 days', $11)`,
			nl, it.section, it.kind, it.title, it.body, it.html, it.url, it.source, it.closing, i+1, approved); err != nil {
			return fmt.Errorf("item %q: %w", it.title, err)
		}
	}
	return nil
}
