package delivery_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"

	"github.com/emersion/go-smtp"
)

// The last delivery finishes its issue: with a poll of an hour, the only
// way the issue can become "sent" during the test is the finisher being
// woken by the mark of its last delivery (and of a final failure).
func TestLastDeliveryFinishesIssue(t *testing.T) {
	db := pgtest.New(t)
	issue := seed(t, db, 6)
	s := newSink(t)
	// One address is refused for good: its final failure is a last mark too.
	s.Refuse = func(rcpt string, n int) *smtp.SMTPError {
		if rcpt == email(6) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}
	cfg := fastConfig()
	cfg.Poll = time.Hour
	cfg.MaxAttempts = 1
	_, svc := startPool(t, db, s, cfg)
	sendAndWait(t, db, svc, issue)
	if got := s.Count(); got != 5 {
		t.Errorf("sink received %d messages, want 5; deliveries:\n%s", got, deliveryTable(t, db, issue))
	}
	var sentAt, last time.Time
	if err := db.Pool.QueryRow(t.Context(), `SELECT i.sent_at, max(d.sent_at) FROM issues i JOIN deliveries d ON d.issue_id = i.id
		WHERE i.id = $1 AND d.status = 'sent' GROUP BY i.sent_at`, issue).Scan(&sentAt, &last); err != nil {
		t.Fatal(err)
	}
	if sentAt.Before(last) {
		t.Errorf("issue sent at %v, before its last delivery at %v", sentAt, last)
	}
	if st := issueStatus(t, db, issue); st != bulletin.IssueSent {
		t.Errorf("issue is %s, want sent", st)
	}
}

// deliveryTable lists an issue's deliveries for a failure message.
func deliveryTable(t testing.TB, db *postgres.DB, issue int64) string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `SELECT id, status, attempts, coalesce(last_code, 0), coalesce(last_reply, '')
		FROM deliveries WHERE issue_id = $1 ORDER BY id`, issue)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		var status, reply string
		var attempts, code int
		if err := rows.Scan(&id, &status, &attempts, &code, &reply); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "  %d %s attempts=%d code=%d %q\n", id, status, attempts, code, reply)
	}
	return b.String()
}
