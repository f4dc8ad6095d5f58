package inbound_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/inbound"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// world is a database with the default newsletter, a list, readers, sent
// issues with their deliveries, and a processor wired to fakes.
type world struct {
	t       testing.TB
	db      *postgres.DB
	p       *inbound.Processor
	replies *replies
	verify  *fakeVerifier
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `INSERT INTO lists (slug, name) VALUES ('weekly', 'Weekly'), ('other', 'Other')`)
	w := &world{t: t, db: db, replies: &replies{}, verify: &fakeVerifier{}}
	w.p = &inbound.Processor{Store: db, Addresses: addrs(), Contributions: fakeParser{}, Verifier: w.verify,
		Replies: w.replies, BaseURL: "https://news.example.org", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return w
}

func exec(t testing.TB, db *postgres.DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (w *world) query(sql string, args []any, dest ...any) {
	w.t.Helper()
	if err := w.db.Pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

// reader adds an active subscriber on both lists and returns its id and token.
func (w *world) reader(email string) (int64, string) {
	var id int64
	tok := "Tok" + strings.NewReplacer("@", "_", ".", "_").Replace(email) + "0123456789"
	w.query(`INSERT INTO subscribers (email, token) VALUES ($1, $2) RETURNING id`, []any{email, tok}, &id)
	exec(w.t, w.db, `INSERT INTO subscriptions (list_id, subscriber_id, status) SELECT id, $1, 'active' FROM lists`, id)
	return id, tok
}

// sentIssue makes a sent issue with one sent delivery to each subscriber
// and returns the issue and delivery ids, in subscriber order.
func (w *world) sentIssue(subs ...int64) (int64, []int64) {
	var issue int64
	w.query(`INSERT INTO issues (newsletter_id, number, status, subject)
		SELECT id, coalesce((SELECT max(number) FROM issues), 0) + 1, 'sent', 'Weekly' FROM newsletters WHERE is_default RETURNING id`, nil, &issue)
	exec(w.t, w.db, `INSERT INTO delivery_counts (issue_id, total, sent) VALUES ($1, $2, $2)`, issue, len(subs))
	ids := make([]int64, len(subs))
	for i, s := range subs {
		w.query(`INSERT INTO deliveries (issue_id, subscriber_id, status, sent_at, last_code) VALUES ($1, $2, 'sent', now(), 250) RETURNING id`,
			[]any{issue, s}, &ids[i])
	}
	return issue, ids
}

func (w *world) receive(env inbound.Envelope, raw []byte) *inbound.Message {
	w.t.Helper()
	m, err := w.p.Receive(context.Background(), inbound.SourceSMTP, env, raw)
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// stored reads back what processing recorded on a message.
func (w *world) stored(id int64) (kind, effect string, processed bool) {
	w.query(`SELECT kind, effect, processed_at IS NOT NULL FROM inbound_messages WHERE id = $1`, []any{id}, &kind, &effect, &processed)
	return
}

func (w *world) count(sql string, args ...any) int {
	var n int
	w.query(sql, args, &n)
	return n
}

type fakeParser struct{}

// ParseContribution takes the subject as title and the body as it is:
// the real parser (internal/inbound/contrib) is mailin's and tested there.
func (fakeParser) ParseContribution(raw []byte) (inbound.Contribution, error) {
	head, body, _ := strings.Cut(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	var c inbound.Contribution
	for _, l := range strings.Split(head, "\n") {
		if v, ok := strings.CutPrefix(l, "Subject: "); ok {
			c.Title = strings.TrimPrefix(v, "Re: ")
		}
	}
	c.Body = strings.TrimSpace(body)
	c.Attachments = strings.Count(string(raw), "Content-Disposition: attachment")
	return c, nil
}

type fakeVerifier struct{ verified map[string]bool }

func (f *fakeVerifier) VerifySender(_ context.Context, raw []byte) inbound.Verification {
	for addr := range f.verified {
		if strings.Contains(string(raw), "From: "+addr) || strings.Contains(string(raw), "<"+addr+">") {
			return inbound.Verification{Verified: true, Method: "dkim", Domain: addr[strings.IndexByte(addr, '@')+1:]}
		}
	}
	return inbound.Verification{}
}

type replies struct {
	mu   sync.Mutex
	sent []inbound.Reply
}

func (r *replies) SendReply(_ context.Context, rep inbound.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, rep)
	return nil
}

func (r *replies) all() []inbound.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]inbound.Reply(nil), r.sent...)
}

func (w *world) user(email string) int64 {
	u := &bulletin.User{Email: email, Role: "contributor"}
	if err := w.db.CreateUser(context.Background(), u, ""); err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}
