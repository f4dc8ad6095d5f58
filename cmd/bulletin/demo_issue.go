package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

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

// seedDemoIssue seeds the sample items and issue 1, with no history.
func seedDemoIssue(ctx context.Context, m *Main) ([]string, error) {
	lines, _, err := seedDemoIssues(ctx, m, nil)
	return lines, err
}

// seedDemoIssues makes sure a default newsletter exists with sections and,
// on an empty database, compiles the history's issues (demo_history.go),
// then the current sample items as the next issue. A resumed demo compiles
// nothing. It returns lines for the demo to print and the number of the
// current issue: the last one.
func seedDemoIssues(ctx context.Context, m *Main, history [][]demoItem) ([]string, int, error) {
	var nl int64
	var slug string
	var number int
	err := pgx.BeginFunc(ctx, m.DB.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO newsletters (slug, name, from_name, from_email, schedule, intro, auto_send, is_default)
			SELECT 'weekly', 'Weekly update', 'Riverside Weekly', 'weekly@bulletin.example', 'CRON_TZ=Europe/London 0 17 * * TUE',
				'Good afternoon. Here is what happened around Riverside this week.', true, true
			WHERE NOT EXISTS (SELECT 1 FROM newsletters WHERE is_default) ON CONFLICT (slug) DO NOTHING`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT id, slug, (SELECT coalesce(max(number), 0) FROM issues WHERE newsletter_id = n.id)
			FROM newsletters n WHERE is_default`).Scan(&nl, &slug, &number); err != nil {
			return err
		}
		if number > 0 {
			return nil
		}
		for i, s := range demoSections() {
			if _, err := tx.Exec(ctx, `INSERT INTO sections (newsletter_id, slug, name, position) VALUES ($1, $2, $3, $4)
				ON CONFLICT (newsletter_id, slug) DO NOTHING`, nl, s[0], s[1], i+1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("sample items: %w", err)
	}
	if number == 0 {
		if number, err = compileDemoIssues(ctx, m, history); err != nil {
			return nil, 0, err
		}
	}
	// A file needs no login: the quickest way to look at the email.
	is, err := m.DB.FindIssueByNumber(ctx, slug, number)
	if err != nil {
		return nil, 0, err
	}
	html, _ := bulletin.NewPersonalizer(is.HTML, is.Text).Apply(bulletin.Personal{})
	file := filepath.Join(os.TempDir(), fmt.Sprintf("bulletin-demo-%s-%d.html", slug, number))
	if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
		return nil, 0, fmt.Errorf("write preview: %w", err)
	}
	m.onClose = append(m.onClose, func() { _ = os.Remove(file) }) // the demo leaves nothing behind
	base := m.Config.BaseURL
	return []string{
		fmt.Sprintf("%-13s file://%s  (%q)", fmt.Sprintf("Issue %d:", number), file, is.Subject),
		fmt.Sprintf("Issue API:    %s/api/v1/newsletters/%s/issues/%d/preview  (editor token)", base, slug, number),
		fmt.Sprintf("Archive:      %s/archive/%s/%d  (once sent)", base, slug, number),
	}, number, nil
}

// compileDemoIssues compiles the history, then the sample items of
// demoItems as the current issue, and returns its number.
func compileDemoIssues(ctx context.Context, m *Main, history [][]demoItem) (int, error) {
	nl, err := m.DB.FindDefaultNewsletter(ctx)
	if err != nil {
		return 0, err
	}
	if len(history) > 0 {
		if err := seedDemoHistory(ctx, m, nl, history); err != nil {
			return 0, err
		}
	}
	err = pgx.BeginFunc(ctx, m.DB.Pool, func(tx pgx.Tx) error {
		return insertDemoItems(ctx, tx, nl.ID, demoItems(), time.Now())
	})
	if err != nil {
		return 0, fmt.Errorf("sample items: %w", err)
	}
	c, err := m.newCompiler()
	if err != nil {
		return 0, err
	}
	is, err := c.Compile(ctx, nl.Slug, nil, false)
	if err != nil {
		return 0, err
	}
	return is.Number, nil
}
