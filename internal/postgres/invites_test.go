package postgres_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/postgres"
)

// queued returns the outbox's messages of kind, oldest first.
func queued(t *testing.T, db *postgres.DB, kind string) []bulletin.NoticeMail {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT payload FROM mail_queue WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []bulletin.NoticeMail
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		var m bulletin.NoticeMail
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func count(t *testing.T, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// linkToken is the token of a queued link email (its Path's last part).
func linkToken(t *testing.T, m bulletin.NoticeMail) string {
	t.Helper()
	p, _ := m.Values["Path"].(string)
	i := strings.LastIndexByte(p, '/')
	if i < 0 || i == len(p)-1 {
		t.Fatalf("no link in %+v", m)
	}
	return p[i+1:]
}

func admin(t *testing.T, db *postgres.DB) *bulletin.User {
	t.Helper()
	a := &bulletin.User{Email: "boss@example.org", Name: "Boss", Role: bulletin.RoleAdmin}
	if err := db.CreateUser(context.Background(), a, "long enough password"); err != nil {
		t.Fatal(err)
	}
	return a
}

// An invitation creates the user without a password and queues a link
// that sets one exactly once; the stored value is a hash, not the token.
func TestInviteLinkWorksOnce(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	boss := admin(t, db)
	if err := db.Invite(ctx, "Ed@Example.org", "Ed", bulletin.RoleEditor, boss); err != nil {
		t.Fatal(err)
	}
	ms := queued(t, db, bulletin.MailInvite)
	if len(ms) != 1 || ms[0].To != "Ed@Example.org" || ms[0].Values["Inviter"] != "Boss" {
		t.Fatalf("queued %+v", ms)
	}
	token := linkToken(t, ms[0])
	if n := count(t, db, `SELECT count(*) FROM account_links WHERE token_hash = convert_to($1, 'UTF8')`, token); n != 0 {
		t.Fatal("the token itself is stored")
	}
	u, err := db.CheckLink(ctx, bulletin.LinkInvite, token)
	if err != nil || u.Email != "Ed@Example.org" || u.Role != bulletin.RoleEditor || u.PasswordHash != "" {
		t.Fatalf("CheckLink = %+v, %v", u, err)
	}
	if _, err := db.CheckLink(ctx, bulletin.LinkReset, token); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("an invite link used as a reset link: %v", err)
	}
	// A password the rules refuse leaves the link usable.
	if _, err := db.UseLink(ctx, bulletin.LinkInvite, token, "short"); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if _, err := db.UseLink(ctx, bulletin.LinkInvite, token, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, "ed@example.org", "correct horse battery"); err != nil {
		t.Fatalf("log in with the new password: %v", err)
	}
	if _, err := db.UseLink(ctx, bulletin.LinkInvite, token, "another password here"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("reused link: %v", err)
	}
	if _, err := db.Authenticate(ctx, "ed@example.org", "another password here"); err == nil {
		t.Fatal("a reused link changed the password")
	}
}

// An expired link is refused like an unknown one, and changes nothing.
func TestExpiredLinksRefused(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	boss := admin(t, db)
	if err := db.Invite(ctx, "late@example.org", "", bulletin.RoleContributor, boss); err != nil {
		t.Fatal(err)
	}
	token := linkToken(t, queued(t, db, bulletin.MailInvite)[0])
	// The invitation's 72 hours, as stored.
	if n := count(t, db, `SELECT count(*) FROM account_links WHERE expires_at - created_at = interval '72 hours'`); n != 1 {
		t.Fatal("invite link not valid for 72 h")
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE account_links SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckLink(ctx, bulletin.LinkInvite, token); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("CheckLink of an expired link: %v", err)
	}
	_, err := db.UseLink(ctx, bulletin.LinkInvite, token, "correct horse battery")
	if bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("UseLink of an expired link: %v", err)
	}
	_, unknown := db.UseLink(ctx, bulletin.LinkInvite, "no-such-token", "correct horse battery")
	if bulletin.ErrorMessage(err) != bulletin.ErrorMessage(unknown) {
		t.Fatalf("expired %q and unknown %q links answer differently", bulletin.ErrorMessage(err), bulletin.ErrorMessage(unknown))
	}
	if n := count(t, db, `SELECT count(*) FROM users WHERE email = 'late@example.org' AND password_hash <> ''`); n != 0 {
		t.Fatal("an expired link set a password")
	}
}

// Inviting an address that has an account answers the same, creates no
// user and no link, and tells the owner instead.
func TestInviteExistingAccount(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	boss := admin(t, db)
	known := &bulletin.User{Email: "known@example.org", Role: bulletin.RoleContributor}
	if err := db.CreateUser(ctx, known, "known password 1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Invite(ctx, "KNOWN@example.org", "", bulletin.RoleAdmin, boss); err != nil {
		t.Fatalf("invite of a known address: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM account_links`); n != 0 {
		t.Fatalf("%d links for an existing account", n)
	}
	if ms := queued(t, db, bulletin.MailAccountKnown); len(ms) != 1 || ms[0].To != "KNOWN@example.org" {
		t.Fatalf("account_known mails: %+v", ms)
	}
	if u, _ := db.FindUserByEmail(ctx, "known@example.org"); u.Role != bulletin.RoleContributor {
		t.Fatal("an invitation changed an existing user's role")
	}
	// Bad input: a clear error, nothing queued.
	before := count(t, db, `SELECT count(*) FROM mail_queue`)
	if err := db.Invite(ctx, "not an address", "", bulletin.RoleEditor, boss); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("bad address: %v", err)
	}
	if err := db.Invite(ctx, "x@example.org", "", "owner", boss); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("bad role: %v", err)
	}
	if err := db.Invite(ctx, "x@example.org", "", bulletin.RoleEditor, known); bulletin.ErrorCode(err) != bulletin.EFORBIDDEN {
		t.Fatalf("invite by a contributor: %v", err)
	}
	if count(t, db, `SELECT count(*) FROM mail_queue`) != before || count(t, db, `SELECT count(*) FROM users WHERE email = 'x@example.org'`) != 0 {
		t.Fatal("refused invitations changed something")
	}
}

// A reset request does the same work for a known and an unknown address
// (one row); only the known one later gets a link, and using it ends every
// session of the user and every other open link.
func TestResetRequests(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	c := &bulletin.User{Email: "carol@example.org", Role: bulletin.RoleContributor}
	if err := db.CreateUser(ctx, c, "old password 123"); err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"CAROL@example.org", "nobody@example.org", "carol@example.org"} {
		if err := db.RequestReset(ctx, e); err != nil {
			t.Fatalf("RequestReset(%s): %v", e, err)
		}
	}
	if n := count(t, db, `SELECT count(*) FROM reset_requests`); n != 3 {
		t.Fatalf("%d requests recorded, want 3 whatever the address", n)
	}
	if n := count(t, db, `SELECT count(*) FROM mail_queue`); n != 0 {
		t.Fatal("a request queued mail in the web request")
	}
	if n, err := db.ProcessResetRequests(ctx, 10); err != nil || n != 3 {
		t.Fatalf("ProcessResetRequests = %d, %v", n, err)
	}
	ms := queued(t, db, bulletin.MailReset)
	if len(ms) != 2 || ms[0].To != "carol@example.org" {
		t.Fatalf("reset mails %+v, want two to carol", ms)
	}
	if n := count(t, db, `SELECT count(*) FROM reset_requests`); n != 0 {
		t.Fatal("requests left behind")
	}
	putSession(t, db, "carol-laptop", c.ID)
	putSession(t, db, "carol-phone", c.ID)
	other := mustUser(t, db, "dave@example.org", bulletin.RoleEditor)
	putSession(t, db, "dave", other.ID)
	if _, err := db.UseLink(ctx, bulletin.LinkReset, linkToken(t, ms[0]), "new password 456"); err != nil {
		t.Fatal(err)
	}
	if got := sessionTokens(t, db); got["carol-laptop"] || got["carol-phone"] || !got["dave"] {
		t.Fatalf("sessions after a reset: %v", got)
	}
	if _, err := db.UseLink(ctx, bulletin.LinkReset, linkToken(t, ms[1]), "third password 789"); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Fatalf("the second link still works after the first was used: %v", err)
	}
	// Once sent, the queue keeps no usable token.
	if _, err := db.Pool.Exec(ctx, `UPDATE mail_queue SET status = 'sent'`); err != nil {
		t.Fatal(err)
	}
	if n, err := db.ScrubSentLinks(ctx); err != nil || n != 2 {
		t.Fatalf("ScrubSentLinks = %d, %v", n, err)
	}
	if n := count(t, db, `SELECT count(*) FROM mail_queue WHERE payload::text LIKE '%/reset/%'`); n != 0 {
		t.Fatalf("%d sent mails still hold a reset link", n)
	}
	if err := db.RequestReset(ctx, "  "); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Fatalf("empty address: %v", err)
	}
}

// Two processes taking reset requests at once queue each email once.
func TestResetRequestsRace(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	for i := range 20 {
		u := &bulletin.User{Email: "u" + string(rune('a'+i)) + "@example.org", Role: bulletin.RoleContributor}
		if err := db.CreateUser(ctx, u, "password 12345"); err != nil {
			t.Fatal(err)
		}
		if err := db.RequestReset(ctx, u.Email); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := db.ProcessResetRequests(ctx, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := count(t, db, `SELECT count(DISTINCT payload->>'to') FROM mail_queue`); n != 20 || count(t, db, `SELECT count(*) FROM mail_queue`) != 20 {
		t.Fatalf("%d recipients, want each of 20 once", n)
	}
}
