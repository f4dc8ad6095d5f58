package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"bulletin/internal/bulletin"

	"github.com/jackc/pgx/v5"
)

// demoItem is one original sample contribution.
type demoItem struct {
	section, kind, title, body, html, url, source string
	closing                                       bool
}

func demoSections() [][2]string {
	return [][2]string{{"budgets", "Community Budgets"}, {"events", "Events"}, {"news", "In the news"}}
}

func demoItems() []demoItem {
	return []demoItem{
		{"budgets", "article", "Ward budgets open for ideas until 5 December",
			"Every ward has **£25,000** to spend next year. Send an idea in a sentence or two; the ward forum shortlists them in January.",
			"<p>Every ward has <strong>£25,000</strong> to spend next year. Send an idea in a sentence or two; the ward forum shortlists them in January.</p>",
			"https://example.org/budgets/ideas", "By the Participation Team", false},
		{"budgets", "article", "Where last spring's money went",
			"Twelve projects were funded: new benches on Mill Lane, a tool library, two school gardens and more.",
			"<p>Twelve projects were funded: new benches on Mill Lane, a tool library, two school gardens and more.</p>",
			"https://example.org/budgets/2026-results", "By Priya Natarajan, ward forum chair", false},
		{"budgets", "article", "Volunteers wanted to count the votes",
			"Two evenings in February, snacks provided. No experience needed, just patience and a sharp pencil.",
			"<p>Two evenings in February, snacks provided. No experience needed, just patience and a sharp pencil.</p>",
			"", "Participation Team", false},
		{"events", "article", "Repair café returns to the library on Saturday",
			"Bring a lamp, a kettle or a torn coat; volunteer fixers will show you how to mend it. 10:00 to 13:00.",
			"<p>Bring a lamp, a kettle or a torn coat; volunteer fixers will show you how to mend it. 10:00 to 13:00.</p>",
			"https://example.org/events/repair-cafe", "Library volunteers", false},
		{"events", "article", "Winter lantern walk along the canal",
			"Make a lantern at the community hall from 16:00, then walk to the lock at dusk. Children must be accompanied.",
			"<p>Make a lantern at the community hall from 16:00, then walk to the lock at dusk. Children must be accompanied.</p>",
			"https://example.org/events/lantern-walk", "Canal Friends", false},
		{"events", "article", "Beginners' chess club on Thursday evenings",
			"Boards and tea provided at the youth centre, 18:30. All ages; the youngest member is seven.",
			"<p>Boards and tea provided at the youth centre, 18:30. All ages; the youngest member is seven.</p>",
			"", "By Tomasz Wójcik", false},
		{"news", "link", "Riverside named one of the greenest boroughs", "", "", "https://news.example.com/greenest-boroughs", "Evening Courier", false},
		{"news", "link", "New bus route 41 links the estate to the hospital", "", "", "https://news.example.com/route-41", "Transit Weekly", false},
		{"news", "link", "The baker who feeds the night shift", "", "", "https://radio.example.net/night-baker", "Local Radio Online", false},
		{"news", "link", "Draft cycling plan opens for comments", "", "", "https://news.example.com/cycling-plan", "Borough News", false},
		{"", "article", "Found: a blue tricycle at Elm Park",
			"It is waiting at the park café. Describe the bell to claim it.",
			"<p>It is waiting at the park café. Describe the bell to claim it.</p>", "", "Park café staff", false},
		{"", "article", "our office plant, Gerald, turned five",
			"He has survived two moves, one heatwave and a very enthusiastic intern. Happy birthday, Gerald.",
			"<p>He has survived two moves, one heatwave and a very enthusiastic intern. Happy birthday, Gerald.</p>",
			"", "", true},
	}
}

// seedDemoIssue makes sure a default newsletter exists with sections and
// sample approved items, then compiles issue 1 unless the newsletter has an
// issue already (a resumed demo). It returns lines for the demo to print.
func seedDemoIssue(ctx context.Context, m *Main) ([]string, error) {
	var nl int64
	var slug string
	var issues int
	err := pgx.BeginFunc(ctx, m.DB.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO newsletters (slug, name, from_name, from_email, schedule, intro, auto_send, is_default)
			SELECT 'weekly', 'Weekly update', 'Riverside Weekly', 'weekly@bulletin.example', 'CRON_TZ=Europe/London 0 17 * * TUE',
				'Good afternoon. Here is what happened around Riverside this week.', true, true
			WHERE NOT EXISTS (SELECT 1 FROM newsletters WHERE is_default) ON CONFLICT (slug) DO NOTHING`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT id, slug, (SELECT count(*) FROM issues WHERE newsletter_id = n.id)
			FROM newsletters n WHERE is_default`).Scan(&nl, &slug, &issues); err != nil {
			return err
		}
		if issues > 0 {
			return nil
		}
		for i, s := range demoSections() {
			if _, err := tx.Exec(ctx, `INSERT INTO sections (newsletter_id, slug, name, position) VALUES ($1, $2, $3, $4)
				ON CONFLICT (newsletter_id, slug) DO NOTHING`, nl, s[0], s[1], i+1); err != nil {
				return err
			}
		}
		for i, it := range demoItems() {
			if _, err := tx.Exec(ctx, `INSERT INTO items (newsletter_id, section_id, kind, title, body, body_html, url, source,
				closing, status, position, approved_at)
				VALUES ($1, (SELECT id FROM sections WHERE newsletter_id = $1 AND slug = $2), $3, $4, $5, $6, $7, $8, $9, 'approved', $10, now())`,
				nl, it.section, it.kind, it.title, it.body, it.html, it.url, it.source, it.closing, i+1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sample items: %w", err)
	}
	number := 1
	if issues == 0 {
		c, err := m.newCompiler()
		if err != nil {
			return nil, err
		}
		is, err := c.Compile(ctx, slug, nil, false)
		if err != nil {
			return nil, err
		}
		number = is.Number
	}
	// A file needs no login: the quickest way to look at the email.
	is, err := m.DB.FindIssueByNumber(ctx, slug, number)
	if err != nil {
		return nil, err
	}
	html, _ := bulletin.NewPersonalizer(is.HTML, is.Text).Apply(bulletin.Personal{})
	file := filepath.Join(os.TempDir(), fmt.Sprintf("bulletin-demo-%s-%d.html", slug, number))
	if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
		return nil, fmt.Errorf("write preview: %w", err)
	}
	m.onClose = append(m.onClose, func() { _ = os.Remove(file) }) // the demo leaves nothing behind
	base := m.Config.BaseURL
	return []string{
		fmt.Sprintf("Issue %d:      file://%s  (%q)", number, file, is.Subject),
		fmt.Sprintf("Issue API:    %s/api/v1/newsletters/%s/issues/%d/preview  (editor token)", base, slug, number),
		fmt.Sprintf("Archive:      %s/archive/%s/%d  (once sent)", base, slug, number),
	}, nil
}
