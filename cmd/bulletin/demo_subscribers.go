package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"bulletin/internal/bulletin"
)

// seedSubscribers creates the public double opt-in list "weekly" on the
// default newsletter and its demo readers. Safe to run on a kept data
// dir: the list is kept, the import is idempotent.
func seedSubscribers(ctx context.Context, m *Main) ([]string, error) {
	l := &bulletin.List{Slug: "weekly", Name: "Weekly update readers", Public: true, DoubleOptin: true,
		Description: demoListDescription(ctx, m)}
	if err := m.DB.CreateList(ctx, l); err != nil && bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		return nil, fmt.Errorf("demo list: %w", err)
	}
	if err := m.DB.AttachListToDefaultNewsletter(ctx, l.Slug); err != nil {
		return nil, err
	}
	// Fake people at the example domains (RFC 2606).
	demoReaders := []string{
		"Amara Okafor", "Ben Whitfield", "Chloé Martin", "Dev Patel", "Elena Rossi",
		"Farid Haddad", "Grace Liu", "Hannah Becker", "Ian McAllister", "Jonas Berg",
		"Keiko Tanaka", "Lucía Fernández", "Marek Nowak", "Nadia Rahman", "Oliver Grant",
		"Priya Nair", "Quentin Dubois", "Rosa Alvarez", "Samuel Osei", "Tomás Silva",
		"Uma Krishnan", "Victor Lindqvist", "Wen Zhao", "Yasmin Aziz", "Zoe Campbell",
	}
	var b strings.Builder
	b.WriteString("email,name\n")
	for i, name := range demoReaders {
		first, last, _ := strings.Cut(name, " ")
		local := strings.ToLower(asciiFold(first) + "." + asciiFold(last))
		fmt.Fprintf(&b, "%s@example.%s,%s\n", local, [3]string{"org", "com", "net"}[i%3], name)
	}
	res, err := m.DB.ImportSubscribers(ctx, l.Slug, strings.NewReader(b.String()), bulletin.ImportOptions{})
	if err != nil {
		return nil, fmt.Errorf("demo subscribers: %w", err)
	}
	m.Log.Info("demo subscribers", "list", l.Slug, "imported", res.Imported, "new", res.Created)
	return []string{
		fmt.Sprintf("Subscribe:    %s/subscribe/%s  (%d demo readers on the list)", m.Config.BaseURL, l.Slug, res.Imported),
	}, nil
}

// demoListDescription tells readers when the update comes, from the
// default newsletter's schedule, so the two cannot disagree.
func demoListDescription(ctx context.Context, m *Main) string {
	when := ""
	if n, err := m.DB.FindDefaultNewsletter(ctx); err == nil {
		when = describeSchedule(n.Schedule, time.Now())
	}
	if when == "" {
		return "The update by email. Unsubscribe in one click at any time."
	}
	return "The update by email, " + when + ". Unsubscribe in one click at any time."
}

// asciiFold drops the accents of the demo names for their addresses.
func asciiFold(s string) string {
	return strings.NewReplacer("é", "e", "í", "i", "á", "a").Replace(s)
}
