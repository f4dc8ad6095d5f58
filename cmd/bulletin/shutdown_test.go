package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

const (
	shutdownReaders = 10_000  // the issue being sent
	shutdownImport  = 300_000 // rows of the CSV import running at the same time
	shutdownConfirm = 50      // confirmation emails waiting in the outbox
)

// The real binary, stopped with SIGTERM while it sends an issue to 10,000
// readers through a real SMTP server, runs an uploaded import and has
// confirmation emails queued, exits cleanly within its grace period: the
// messages in flight finish and are recorded, the rest return to the
// queue, the import commits or rolls back whole. A second run finishes
// everything: each reader gets the issue once, each confirmation arrives
// once, the import is complete.
func TestSIGTERMDrainsEveryService(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fixture.List(t, db, &bulletin.List{Slug: "main"})
	fixture.Readers(t, db, "main", shutdownReaders)
	issue := fixture.SendingIssue(t, db)
	admin := fixture.User(t, db, "admin@example.org", bulletin.RoleAdmin)
	for _, l := range []*bulletin.List{{Slug: "optin", Name: "Opt-in", DoubleOptin: true}, {Slug: "imported", Name: "Imported"}} {
		if err := db.CreateList(ctx, l); err != nil { // on no newsletter: not the issue's readers
			t.Fatal(err)
		}
	}
	for i := range shutdownConfirm {
		if _, err := db.Subscribe(ctx, bulletin.SubscribeRequest{List: "optin", Email: confirmAddr(i), Method: bulletin.ConsentForm}); err != nil {
			t.Fatal(err)
		}
	}
	var csv strings.Builder
	csv.WriteString("email,name\n")
	for i := range shutdownImport {
		fmt.Fprintf(&csv, "imp%d@example.org,Imported %d\n", i, i)
	}
	job, err := db.CreateImportJob(ctx, "imported", admin.ID, strings.NewReader(csv.String()), bulletin.MaxImportUpload)
	if err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(t.TempDir(), "bulletin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sink := fixture.NewSMTPSink(t)
	serve := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, "serve", "--roles", "web,sender", "--addr", "127.0.0.1:0")
		cmd.Env = append(cleanEnv(), "DATABASE_URL="+url, "BULLETIN_SMTP_URL=smtp://"+sink.Addr+"?tls=none",
			"BULLETIN_SHUTDOWN_GRACE=20s", "BULLETIN_LOG_LEVEL=info")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
		})
		return cmd, &out
	}
	stop := func(cmd *exec.Cmd, out *bytes.Buffer) {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// A clean exit (0) means every service drained within the grace
		// period; past it, serve exits 1 naming the services left.
		if err := cmd.Wait(); err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, out)
		}
	}
	scalar := func(sql string, args ...any) (n int) {
		t.Helper()
		if err := db.Pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	jobStatus := func() string {
		j, err := db.FindImportJob(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		return j.Status
	}

	cmd, out := serve()
	fixture.WaitFor(t, "sending and the import under way", func() bool {
		return sink.Count() >= 300 && jobStatus() == bulletin.ImportRunning
	})
	stop(cmd, out)
	t.Logf("stopped after %d messages; import %s", sink.Count(), jobStatus())

	sent := scalar(`SELECT count(*) FROM deliveries WHERE issue_id = $1 AND status = 'sent'`, issue.ID)
	if sent == shutdownReaders {
		t.Fatal("the issue was sent before SIGTERM arrived; the test proves nothing")
	}
	if got := readersReceived(sink); got != sent {
		t.Errorf("after SIGTERM %d deliveries are recorded sent but the server received %d", sent, got)
	}
	if n := scalar(`SELECT count(*) FROM deliveries WHERE status = 'pending' AND locked_until > now()`); n != 0 {
		t.Errorf("%d deliveries still claimed by the stopped process", n)
	}
	if n := scalar(`SELECT count(*) FROM mail_queue WHERE status = 'pending' AND locked_until > now()`); n != 0 {
		t.Errorf("%d queued emails still claimed by the stopped process", n)
	}
	imported := scalar(`SELECT count(*) FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE l.slug = 'imported'`)
	switch st := jobStatus(); {
	case st == bulletin.ImportQueued && imported == 0, st == bulletin.ImportDone && imported == shutdownImport:
	default:
		t.Errorf("after SIGTERM the import is %s with %d of %d rows in: not all or nothing", st, imported, shutdownImport)
	}

	cmd, out = serve()
	fixture.WaitFor(t, "the issue sent, the import done, the confirmations sent", func() bool {
		return scalar(`SELECT count(*) FROM issues WHERE id = $1 AND status = 'sent'`, issue.ID) == 1 &&
			jobStatus() == bulletin.ImportDone &&
			// Only the confirmations: the notifier also queues the admins'
			// send report once the issue is sent.
			scalar(`SELECT count(*) FROM mail_queue WHERE kind = $1 AND status = 'sent'`, bulletin.MailConfirm) == shutdownConfirm
	})
	stop(cmd, out)

	got := sink.Recipients()
	for i := 1; i <= shutdownReaders; i++ {
		if n := got[fixture.Reader(i)]; n != 1 {
			t.Errorf("%s received the issue %d times, want once", fixture.Reader(i), n)
		}
	}
	for i := range shutdownConfirm {
		if n := got[confirmAddr(i)]; n != 1 {
			t.Errorf("%s received %d confirmation emails, want 1", confirmAddr(i), n)
		}
	}
	if n := scalar(`SELECT count(*) FROM subscriptions s JOIN lists l ON l.id = s.list_id WHERE l.slug = 'imported'`); n != shutdownImport {
		t.Errorf("the import brought in %d of %d rows", n, shutdownImport)
	}
	if t.Failed() {
		t.Logf("last run's log:\n%s", out)
	}
}

func confirmAddr(i int) string { return fmt.Sprintf("confirm%d@example.org", i) }

// readersReceived counts the issue's messages the sink received.
func readersReceived(s *fixture.SMTPSink) int {
	n := 0
	for rcpt, c := range s.Recipients() {
		if strings.HasPrefix(rcpt, "reader") {
			n += c
		}
	}
	return n
}
