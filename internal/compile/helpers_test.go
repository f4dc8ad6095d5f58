package compile_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/compile"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/render"
	"bulletin/templates"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// compiler wires a Compiler to db and the built-in templates, as main does.
func compiler(t testing.TB, db *postgres.DB) *compile.Compiler {
	t.Helper()
	r, err := render.New(templates.Builtin(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &compile.Compiler{Store: db, Render: r.ForCompile("https://b.example")}
}

// seed holds the ids a test refers to.
type seed struct {
	nl       int64
	sections map[string]int64
}

// seedNewsletter inserts the default newsletter "weekly" with three sections.
func seedNewsletter(t testing.TB, db *postgres.DB, schedule string, autoSend bool, delay time.Duration) seed {
	t.Helper()
	ctx := context.Background()
	s := seed{sections: map[string]int64{}}
	err := db.Pool.QueryRow(ctx, `INSERT INTO newsletters (slug, name, schedule, auto_send, send_delay, is_default, intro)
		VALUES ('weekly', 'Weekly update', $1, $2, $3, true, 'Hello.') RETURNING id`, schedule, autoSend, delay).Scan(&s.nl)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"events", "news", "budgets"} {
		var id int64
		// Positions deliberately differ from insertion order.
		pos := []int{2, 3, 1}[i]
		if err := db.Pool.QueryRow(ctx, `INSERT INTO sections (newsletter_id, slug, name, position) VALUES ($1, $2, $3, $4) RETURNING id`,
			s.nl, name, name, pos).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.sections[name] = id
	}
	return s
}

type itemSpec struct {
	title    string
	section  string // "" = none
	position int
	approved time.Duration // before now; 0 = not approved
	closing  bool
	kind     string
}

func addItem(t testing.TB, db *postgres.DB, s seed, it itemSpec) int64 {
	t.Helper()
	var sec *int64
	if it.section != "" {
		id := s.sections[it.section]
		sec = &id
	}
	status, approvedAt := bulletin.ItemSubmitted, (*time.Time)(nil)
	if it.approved > 0 {
		at := time.Now().Add(-it.approved)
		status, approvedAt = bulletin.ItemApproved, &at
	}
	if it.kind == "" {
		it.kind = bulletin.KindArticle
	}
	var id int64
	err := db.Pool.QueryRow(context.Background(), `INSERT INTO items
		(newsletter_id, section_id, kind, title, body, body_html, url, source, closing, status, position, approved_at)
		VALUES ($1, $2, $3, $4, 'Body', '<p>Body of '||$4||'</p>', 'https://example.org/'||md5($4), 'Source', $5, $6, $7, $8) RETURNING id`,
		s.nl, sec, it.kind, it.title, it.closing, status, it.position, approvedAt).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func count(t testing.TB, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
