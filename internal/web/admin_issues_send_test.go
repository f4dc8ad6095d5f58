package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"

	"github.com/alexedwards/scs/pgxstore"
)

// countingSender records Send calls: the tests below prove that only the
// confirmation's POST sends.
type countingSender struct{ sends atomic.Int32 }

func (c *countingSender) Send(context.Context, string, int) (int64, error) {
	c.sends.Add(1)
	return 2, nil
}
func (c *countingSender) SendTest(context.Context, string, int, string) (string, error) {
	return "", bulletin.Errorf(bulletin.EINVALID, "not in this test")
}
func (c *countingSender) IssueProgress(context.Context, int64) (*bulletin.Progress, error) {
	return &bulletin.Progress{}, nil
}

func TestSendNeedsConfirmation(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	for _, role := range []string{bulletin.RoleAdmin, bulletin.RoleEditor} {
		mustUser(t, db, role+"@example.org", role)
	}
	sender := &countingSender{}
	s := wired(db)
	s.Sessions, s.Compiler, s.Delivery = pgxstore.NewWithCleanupInterval(db.Pool, 0), noCompiler{}, sender
	base := serve(t, s).URL
	fixture.List(t, db, &bulletin.List{Slug: "main", Name: "Main readers"})
	fixture.Readers(t, db, "main", 3)
	is := fixture.Issue(t, db, "")
	ed := client(t)
	login(t, ed, base, "editor")
	page := base + "/admin/issues/weekly/" + itoa(int64(is.Number))

	code, _, body := get(t, ed, page+"/send")
	if code != 200 || !strings.Contains(body, is.Subject) || !strings.Contains(body, "Main readers") ||
		!strings.Contains(body, `id="confirm-count">3<`) || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Fatalf("confirmation page = %d:\n%s", code, body)
	}
	// A POST that is not the confirmation's leads to it and sends nothing.
	code, loc, _ := post(t, ed, page+"/send", nil)
	if code != http.StatusSeeOther || loc != "/admin/issues/weekly/"+itoa(int64(is.Number))+"/send" || sender.sends.Load() != 0 {
		t.Fatalf("unconfirmed send = %d → %q, %d sends; want 303 to the confirmation and none", code, loc, sender.sends.Load())
	}
	if code, _, _ = post(t, ed, page+"/send", url.Values{"confirm": {"yes"}}); code != http.StatusSeeOther || sender.sends.Load() != 1 {
		t.Fatalf("confirmed send = %d, %d sends; want 303 and one", code, sender.sends.Load())
	}
}

// On an auto-send newsletter, compiling mails at once: Compile now first
// shows the confirmation.
func TestAutoSendCompileNeedsConfirmation(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	fixture.List(t, db, &bulletin.List{Slug: "main", Name: "Main readers"})
	fixture.Readers(t, db, "main", 2)
	auto := true
	if _, err := db.UpdateNewsletter(context.Background(), "weekly", bulletin.NewsletterUpdate{AutoSend: &auto}); err != nil {
		t.Fatal(err)
	}
	ed := client(t)
	login(t, ed, base, "editor")
	code, loc, _ := post(t, ed, base+"/admin/issues/weekly/compile", nil)
	if code != http.StatusSeeOther || loc != "/admin/issues/weekly/compile" {
		t.Fatalf("unconfirmed compile = %d → %q; want 303 to the confirmation", code, loc)
	}
	code, _, body := get(t, ed, base+loc)
	if code != 200 || !strings.Contains(body, "sends automatically") || !strings.Contains(body, `id="confirm-count">2<`) ||
		!strings.Contains(body, "Main readers") {
		t.Fatalf("compile confirmation = %d:\n%s", code, body)
	}
	if n, _ := db.FindIssues(context.Background(), "weekly"); len(n) != 0 {
		t.Fatalf("%d issues after the unconfirmed compile, want none", len(n))
	}
}

// A refused action explains itself and leads back; it is never a bare
// status text.
func TestRefusedActionPage(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	sent := fixture.SentIssue(t, db, 1)
	ed := client(t)
	login(t, ed, base, "editor")
	page := "/admin/issues/weekly/" + itoa(int64(sent.Number))
	for _, path := range []string{"/cancel", "/unschedule"} {
		code, _, body := post(t, ed, base+page+path, nil)
		if code != http.StatusUnprocessableEntity || strings.Contains(body, "Unprocessable Entity") ||
			!strings.Contains(body, "That could not be done") || !strings.Contains(body, "is sent and can no longer be") ||
			!strings.Contains(body, "Nothing was changed") || !strings.Contains(body, `href="`+page+`" id="error-back"`) {
			t.Errorf("%s of a sent issue = %d:\n%s", path, code, body)
		}
	}
}

// The schedule form's time is read in the newsletter's zone; a bad or past
// time is refused with a reason and changes nothing.
func TestScheduleFormInNewsletterZone(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	is := fixture.Issue(t, db, "")
	sched := "CRON_TZ=Asia/Tokyo 0 9 * * 1"
	if _, err := db.UpdateNewsletter(context.Background(), "weekly", bulletin.NewsletterUpdate{Schedule: &sched}); err != nil {
		t.Fatal(err)
	}
	ed := client(t)
	login(t, ed, base, "editor")
	page := base + "/admin/issues/weekly/" + itoa(int64(is.Number))
	if _, _, body := get(t, ed, page); !strings.Contains(body, "Send at (Asia/Tokyo)") {
		t.Fatalf("issue page has no schedule form in the newsletter's zone:\n%s", body)
	}
	for _, bad := range []string{"", "tomorrow", time.Now().Add(-time.Hour).In(time.UTC).Format("2006-01-02T15:04")} {
		code, _, body := post(t, ed, page+"/schedule", url.Values{"at": {bad}})
		if code != http.StatusBadRequest || !strings.Contains(body, "Please check what you entered") {
			t.Errorf("schedule at %q = %d:\n%s", bad, code, body)
		}
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	want := time.Now().Add(48 * time.Hour).In(tokyo).Truncate(time.Minute)
	if code, _, body := post(t, ed, page+"/schedule", url.Values{"at": {want.Format("2006-01-02T15:04")}}); code != http.StatusSeeOther {
		t.Fatalf("schedule = %d:\n%s", code, body)
	}
	got, _ := db.FindIssueByNumber(context.Background(), "weekly", is.Number)
	if got.Status != bulletin.IssueScheduled || got.ScheduledAt == nil || !got.ScheduledAt.Equal(want) {
		t.Fatalf("issue %s at %v, want scheduled at %v", got.Status, got.ScheduledAt, want)
	}
	if code, _, _ := post(t, ed, page+"/unschedule", nil); code != http.StatusSeeOther {
		t.Fatalf("unschedule = %d", code)
	}
	if got, _ = db.FindIssueByNumber(context.Background(), "weekly", is.Number); got.Status != bulletin.IssueDraft {
		t.Fatalf("issue is %s after unscheduling, want draft", got.Status)
	}
}
