package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/delivery"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/smtp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type captured struct {
	mu   sync.Mutex
	msgs []capture.Message
}

func (c *captured) SaveCapturedMessage(_ context.Context, m *capture.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, *m)
	return nil
}

func (c *captured) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

// deliveryAPI serves the routes with the delivery service wired as main
// does, over a database with issue 1 of "weekly" (scheduled) and three
// subscribers, and a real SMTP capture.
func deliveryAPI(t *testing.T, role string) (*httptest.Server, *postgres.DB, *captured) {
	t.Helper()
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO newsletters (slug, name, from_name, from_email, is_default) VALUES ('weekly', 'Weekly update', 'Editors', 'news@example.org', true);
		INSERT INTO lists (slug, name) VALUES ('main', 'Main');
		INSERT INTO newsletter_lists SELECT n.id, l.id FROM newsletters n, lists l;
		INSERT INTO subscribers (email, token) SELECT 'r' || g || '@example.org', 'tok' || g FROM generate_series(1, 3) g;
		INSERT INTO subscriptions (list_id, subscriber_id) SELECT l.id, s.id FROM lists l, subscribers s;
		INSERT INTO issues (newsletter_id, number, status, subject, html, text_body)
		SELECT id, 1, 'scheduled', 'Weekly update 1', '<p>Hi</p>', 'Hi' FROM newsletters`)
	if err != nil {
		t.Fatal(err)
	}
	cap := &captured{}
	srv, err := capture.Start("127.0.0.1:0", cap, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	reg := prometheus.NewRegistry()
	delivery.NewMetrics(reg, db.PendingDeliveries, 0)
	svc := &delivery.Service{Store: db, Log: slog.New(slog.DiscardHandler),
		Config:    delivery.Config{BaseURL: "https://news.example.org"},
		Transport: &smtp.Transport{SMTP: config.PlainSMTP(srv.Addr)}}
	s := wired(db)
	s.Delivery, s.Metrics = svc, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	ts := serveAs(t, s, asRole(role))
	return ts, db, cap
}

func countDeliveries(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM deliveries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIssueSendAPI(t *testing.T) {
	t.Parallel()
	ts, db, _ := deliveryAPI(t, bulletin.RoleEditor)
	base := ts.URL + "/api/v1/newsletters/weekly/issues/"

	if code, body := call(t, "POST", base+"9/send", ""); code != http.StatusNotFound {
		t.Errorf("send of a missing issue: %d %s, want 404", code, body)
	}
	code, body := call(t, "POST", base+"1/send", "")
	if code != http.StatusAccepted {
		t.Fatalf("send: %d %s, want 202", code, body)
	}
	var out struct {
		Status   string             `json:"status"`
		Progress *bulletin.Progress `json:"progress"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Status != bulletin.IssueSending || out.Progress == nil || out.Progress.Total != 3 || out.Progress.Pending != 3 {
		t.Errorf("send answered %s", body)
	}
	if n := countDeliveries(t, db); n != 3 {
		t.Errorf("%d deliveries after send, want 3", n)
	}
	// The issue API shows the same progress.
	if code, body := call(t, "GET", base+"1", ""); code != http.StatusOK || !strings.Contains(body, `"eta_seconds"`) {
		t.Errorf("get issue: %d %s, want progress with an ETA", code, body)
	}
	// Queue depth is on /metrics.
	code, body = call(t, "GET", ts.URL+"/metrics", "")
	if code != http.StatusOK || !strings.Contains(body, "bulletin_deliveries_queue_depth 3") || !strings.Contains(body, "bulletin_deliveries_sent_total 0") {
		t.Errorf("metrics: %d, want the queue depth of 3:\n%s", code, body)
	}
}

func TestIssueSendAPIRefusesNonEditors(t *testing.T) {
	t.Parallel()
	for role, want := range map[string]int{"": http.StatusUnauthorized, bulletin.RoleContributor: http.StatusForbidden} {
		ts, db, cap := deliveryAPI(t, role)
		base := ts.URL + "/api/v1/newsletters/weekly/issues/1/"
		if code, body := call(t, "POST", base+"send", ""); code != want {
			t.Errorf("role %q send: %d %s, want %d", role, code, body, want)
		}
		if code, body := call(t, "POST", base+"test", `{"email":"ed@example.net"}`); code != want {
			t.Errorf("role %q test: %d %s, want %d", role, code, body, want)
		}
		if countDeliveries(t, db) != 0 || cap.count() != 0 {
			t.Errorf("role %q changed something", role)
		}
	}
}

func TestIssueTestSendAPI(t *testing.T) {
	t.Parallel()
	ts, db, cap := deliveryAPI(t, bulletin.RoleEditor)
	url := ts.URL + "/api/v1/newsletters/weekly/issues/1/test"
	for _, bad := range []string{`{"email":"not-an-address"}`, `{"email":"a@example.org\r\nBcc: x@example.org"}`, `{"email":"a@example.org","cc":"x"}`, `{}`} {
		if code, body := call(t, "POST", url, bad); code != http.StatusBadRequest {
			t.Errorf("test send %s: %d %s, want 400", bad, code, body)
		}
	}
	if cap.count() != 0 {
		t.Fatalf("bad requests sent %d messages", cap.count())
	}
	code, body := call(t, "POST", url, `{"email":"ed@example.net"}`)
	if code != http.StatusOK || !strings.Contains(body, `"reply": "250`) {
		t.Fatalf("test send: %d %s", code, body)
	}
	if cap.count() != 1 || cap.msgs[0].To[0] != "ed@example.net" || !strings.HasPrefix(cap.msgs[0].Subject, "[test] ") {
		t.Errorf("captured %+v, want one [test] copy to ed@example.net", cap.msgs)
	}
	if n := countDeliveries(t, db); n != 0 {
		t.Errorf("a test send created %d deliveries", n)
	}
}
