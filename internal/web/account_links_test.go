package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/alexedwards/scs/pgxstore"
)

// accountServer is adminServer with the rate limits in PostgreSQL, as
// main wires them.
func accountServer(t *testing.T) (*postgres.DB, string) {
	t.Helper()
	db := pgtest.New(t)
	for _, role := range []string{bulletin.RoleAdmin, bulletin.RoleEditor, bulletin.RoleContributor} {
		mustUser(t, db, role+"@example.org", role)
	}
	s := wired(db)
	s.Sessions, s.Compiler, s.RateLimits = pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}, db
	return db, serve(t, s).URL
}

// lastLink is the link path of the newest queued mail of kind to addr.
func lastLink(t *testing.T, db *postgres.DB, kind, addr string) string {
	t.Helper()
	var b []byte
	err := db.Pool.QueryRow(context.Background(), `SELECT payload FROM mail_queue WHERE kind = $1 AND payload->>'to' = $2 ORDER BY id DESC LIMIT 1`, kind, addr).Scan(&b)
	if err != nil {
		t.Fatalf("no %s mail to %s: %v", kind, addr, err)
	}
	var m bulletin.NoticeMail
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Values["Path"].(string)
}

func rows(t *testing.T, db *postgres.DB, sql string) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// "Forgot password" answers a known and an unknown address alike: same
// status, same page but for the address typed, the same single row
// written, no mail queued in the request.
func TestForgotPasswordNoEnumeration(t *testing.T) {
	t.Parallel()
	db, base := accountServer(t)
	c := client(t)
	code1, _, known := post(t, c, base+"/login/forgot", url.Values{"email": {"editor@example.org"}})
	code2, _, unknown := post(t, c, base+"/login/forgot", url.Values{"email": {"nobody@example.org"}})
	if code1 != http.StatusOK || code2 != http.StatusOK {
		t.Fatalf("statuses %d and %d", code1, code2)
	}
	if strings.ReplaceAll(known, "editor@example.org", "X") != strings.ReplaceAll(unknown, "nobody@example.org", "X") {
		t.Fatalf("pages differ:\n%s\n---\n%s", known, unknown)
	}
	if !strings.Contains(known, `id="forgot-sent"`) {
		t.Fatalf("no confirmation on the page:\n%s", known)
	}
	if n := rows(t, db, `SELECT count(*) FROM reset_requests`); n != 2 {
		t.Fatalf("%d requests recorded, want one each", n)
	}
	if n := rows(t, db, `SELECT count(*) FROM mail_queue`); n != 0 {
		t.Fatalf("%d mails queued by the request itself", n)
	}
	// Bad input: a clear error, nothing recorded.
	code, _, body := post(t, c, base+"/login/forgot", url.Values{"email": {"no-at-sign"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter the email address") || !strings.Contains(body, "<title>Error:") {
		t.Fatalf("bad address: %d\n%s", code, body)
	}
	if n := rows(t, db, `SELECT count(*) FROM reset_requests`); n != 2 {
		t.Fatal("a refused request was recorded")
	}
}

// Requests are limited to 3 per address and 10 per IP an hour, counted in
// the rate_limits table; a refused request records nothing.
func TestForgotPasswordRateLimits(t *testing.T) {
	t.Parallel()
	db, base := accountServer(t)
	c := client(t)
	for i := range 3 {
		if code, _, _ := post(t, c, base+"/login/forgot", url.Values{"email": {"Editor@example.org"}}); code != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, code)
		}
	}
	code, _, body := post(t, c, base+"/login/forgot", url.Values{"email": {"editor@EXAMPLE.org"}})
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Too many requests") {
		t.Fatalf("4th request for one address: %d", code)
	}
	for i := range 6 { // the IP's 5th to 10th
		if code, _, _ := post(t, c, base+"/login/forgot", url.Values{"email": {"other" + string(rune('a'+i)) + "@example.org"}}); code != http.StatusOK {
			t.Fatalf("other address %d: %d", i, code)
		}
	}
	if code, _, _ := post(t, c, base+"/login/forgot", url.Values{"email": {"fresh@example.org"}}); code != http.StatusTooManyRequests {
		t.Fatalf("11th request from one IP: %d", code)
	}
	if n := rows(t, db, `SELECT count(*) FROM reset_requests`); n != 9 {
		t.Fatalf("%d requests recorded, want the 9 allowed", n)
	}
	if n := rows(t, db, `SELECT count(*) FROM rate_limits WHERE key LIKE 'forgot-%'`); n < 2 {
		t.Fatalf("%d forgot-* rows in rate_limits", n)
	}
}

// The invitation flow over HTTP: an admin invites, the link's page sets
// the password once, a reused or expired link gets the same "not valid"
// page, and the new user logs in.
func TestInviteOverHTTP(t *testing.T) {
	t.Parallel()
	db, base := accountServer(t)
	adm := client(t)
	login(t, adm, base, bulletin.RoleAdmin)
	code, loc, _ := post(t, adm, base+"/admin/users/invite", url.Values{"email": {"new@example.org"}, "name": {"New"}, "role": {"editor"}})
	if code != http.StatusSeeOther || loc != "/admin/users" {
		t.Fatalf("invite: %d %s", code, loc)
	}
	code, _, body := post(t, adm, base+"/admin/users/invite", url.Values{"email": {"bad"}, "role": {"editor"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "<title>Error:") {
		t.Fatalf("bad invite: %d", code)
	}
	// Inviting an existing account answers the same.
	if code, loc, _ := post(t, adm, base+"/admin/users/invite", url.Values{"email": {"editor@example.org"}, "role": {"editor"}}); code != http.StatusSeeOther || loc != "/admin/users" {
		t.Fatalf("invite of an existing account: %d %s", code, loc)
	}
	link := base + lastLink(t, db, bulletin.MailInvite, "new@example.org")
	anon := client(t)
	if code, _, body := get(t, anon, link); code != http.StatusOK || !strings.Contains(body, "new@example.org") {
		t.Fatalf("invite page: %d\n%s", code, body)
	}
	if code, _, body := post(t, anon, link, url.Values{"password": {"one long password"}, "password2": {"another one"}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "differ") {
		t.Fatalf("mismatched passwords: %d", code)
	}
	if code, _, body := post(t, anon, link, url.Values{"password": {"one long password"}, "password2": {"one long password"}}); code != http.StatusOK || !strings.Contains(body, `id="password-set"`) {
		t.Fatalf("set password: %d\n%s", code, body)
	}
	code, _, reused := post(t, anon, link, url.Values{"password": {"hijacked password"}, "password2": {"hijacked password"}})
	if code != http.StatusNotFound || !strings.Contains(reused, `id="link-invalid"`) {
		t.Fatalf("reused link: %d", code)
	}
	if code, _, _ := get(t, anon, base+"/invite/unknown-token"); code != http.StatusNotFound {
		t.Fatalf("unknown link: %d", code)
	}
	if code, _, _ := post(t, anon, base+"/login", url.Values{"email": {"new@example.org"}, "password": {"one long password"}}); code != http.StatusSeeOther {
		t.Fatalf("login with the new password: %d", code)
	}
	// Expired: the same page as unknown and used.
	post(t, adm, base+"/admin/users/invite", url.Values{"email": {"late@example.org"}, "role": {"contributor"}})
	late := base + lastLink(t, db, bulletin.MailInvite, "late@example.org")
	if _, err := db.Pool.Exec(context.Background(), `UPDATE account_links SET expires_at = now() - interval '1 minute'`); err != nil {
		t.Fatal(err)
	}
	code, _, expired := get(t, anon, late)
	if code != http.StatusNotFound || !strings.Contains(expired, `id="link-invalid"`) {
		t.Fatalf("expired link: %d", code)
	}
}

// A reset through the link ends every session of the user; changing the
// password on the settings page ends the others and keeps this one, and
// needs the current password.
func TestPasswordChangesEndSessions(t *testing.T) {
	t.Parallel()
	db, base := accountServer(t)
	here, there := client(t), client(t)
	login(t, here, base, bulletin.RoleEditor)
	login(t, there, base, bulletin.RoleEditor)

	code, _, body := post(t, here, base+"/admin/settings/password", url.Values{"current": {"wrong"}, "password": {"brand new password"}, "password2": {"brand new password"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "current password is not right") {
		t.Fatalf("wrong current password: %d", code)
	}
	if code, _, _ := get(t, there, base+"/admin/settings"); code != http.StatusOK {
		t.Fatal("a refused change ended a session")
	}
	code, loc, _ := post(t, here, base+"/admin/settings/password", url.Values{"current": {"secret-editor"}, "password": {"brand new password"}, "password2": {"brand new password"}})
	if code != http.StatusSeeOther || loc != "/admin/settings" {
		t.Fatalf("change password: %d %s", code, loc)
	}
	if code, _, body := get(t, here, base+"/admin/settings"); code != http.StatusOK || !strings.Contains(body, "logged out everywhere else") {
		t.Fatalf("the changing session: %d", code)
	}
	if code, loc, _ := get(t, there, base+"/admin/settings"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("the other session after a change: %d %s", code, loc)
	}

	// Reset by link: every session ends, the changing one included (it
	// is not logged in).
	if code, _, _ := post(t, client(t), base+"/login/forgot", url.Values{"email": {"editor@example.org"}}); code != http.StatusOK {
		t.Fatal("forgot")
	}
	if _, err := db.ProcessResetRequests(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	link := base + lastLink(t, db, bulletin.MailReset, "editor@example.org")
	if code, _, _ := post(t, client(t), link, url.Values{"password": {"reset password 1"}, "password2": {"reset password 1"}}); code != http.StatusOK {
		t.Fatalf("reset: %d", code)
	}
	if code, _, _ := get(t, here, base+"/admin/settings"); code != http.StatusSeeOther {
		t.Fatalf("a session survived a reset: %d", code)
	}
	if code, _, _ := post(t, client(t), link, url.Values{"password": {"reset password 2"}, "password2": {"reset password 2"}}); code != http.StatusNotFound {
		t.Fatalf("reused reset link: %d", code)
	}
}

// The settings page: name and notification switches saved; own API tokens
// created and revoked; another user's token cannot be revoked from here.
func TestSettingsPage(t *testing.T) {
	t.Parallel()
	db, base := accountServer(t)
	c := client(t)
	login(t, c, base, bulletin.RoleContributor)
	code, _, body := get(t, c, base+"/admin/settings")
	if code != http.StatusOK || !strings.Contains(body, `id="n-review" name="review" checked`) || strings.Contains(body, `id="n-digest"`) {
		t.Fatalf("settings page: %d\n%s", code, body)
	}
	if code, _, _ := post(t, c, base+"/admin/settings", url.Values{"name": {"Carol C"}, "published": {"on"}}); code != http.StatusSeeOther {
		t.Fatalf("save: %d", code)
	}
	var name string
	var review, published, digest bool
	if err := db.Pool.QueryRow(context.Background(), `SELECT name, notify_review, notify_published, notify_digest FROM users WHERE email = 'contributor@example.org'`).
		Scan(&name, &review, &published, &digest); err != nil {
		t.Fatal(err)
	}
	if name != "Carol C" || review || !published || !digest { // a contributor's digest switch is not theirs to change
		t.Fatalf("saved %q review=%v published=%v digest=%v", name, review, published, digest)
	}
	if code, _, body := post(t, c, base+"/admin/settings", url.Values{"name": {"<b>x</b>\x07"}}); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
		t.Fatalf("bad name: %d\n%s", code, body)
	}
	code, _, body = post(t, c, base+"/admin/settings/tokens", url.Values{"name": {"script"}})
	if code != http.StatusOK || !strings.Contains(body, `id="new-token"`) {
		t.Fatalf("create token: %d", code)
	}
	var own, other int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT id FROM api_tokens`).Scan(&own); err != nil {
		t.Fatal(err)
	}
	ed := client(t)
	login(t, ed, base, bulletin.RoleEditor)
	post(t, ed, base+"/admin/settings/tokens", url.Values{"name": {"editor's"}})
	if err := db.Pool.QueryRow(context.Background(), `SELECT id FROM api_tokens WHERE id <> $1`, own).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := post(t, c, base+"/admin/settings/tokens/"+itoa(other)+"/revoke", nil); code == http.StatusSeeOther {
		t.Fatal("revoked another user's token")
	}
	if code, _, _ := post(t, c, base+"/admin/settings/tokens/"+itoa(own)+"/revoke", nil); code != http.StatusSeeOther {
		t.Fatalf("revoke own token: %d", code)
	}
	if n := rows(t, db, `SELECT count(*) FROM api_tokens WHERE revoked_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d tokens revoked, want only the own one", n)
	}
}
