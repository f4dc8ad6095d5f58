package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/outbox"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/smtp"
	"bulletin/templates"
)

// subsEnv is a real server over a fresh database, with confirmation emails
// going over real SMTP to the in-process capture.
type subsEnv struct {
	t    *testing.T
	db   *postgres.DB
	srv  *Server
	ts   *httptest.Server
	mail *outbox.Service // sends the queued confirmation emails
}

func newSubsEnv(t *testing.T) *subsEnv {
	t.Helper()
	db := pgtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cap, err := capture.Start("127.0.0.1:0", db, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cap.Close() })
	s := wired(db)
	s.Log = log
	// Test stand-in for bearer auth: X-Test-Role names the caller's role.
	ts := serveAs(t, s, func(r *http.Request) *bulletin.User { return asRole(r.Header.Get("X-Test-Role"))(r) })
	s.BaseURL = ts.URL
	confirm, err := outbox.NewConfirmation(templates.Builtin(), ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	mail := &outbox.Service{Store: db, Mailer: &smtp.Mailer{SMTP: config.PlainSMTP(cap.Addr)}, Log: log,
		Renderers: map[string]outbox.Renderer{bulletin.MailConfirm: confirm}}
	return &subsEnv{t: t, db: db, srv: s, ts: ts, mail: mail}
}

func (e *subsEnv) list(slug string, public, double bool) {
	e.t.Helper()
	if err := e.db.CreateList(context.Background(), &bulletin.List{Slug: slug, Name: "The " + slug + " list", Public: public, DoubleOptin: double}); err != nil {
		e.t.Fatal(err)
	}
}

// subscriber adds an address through the store and returns its token.
func (e *subsEnv) subscriber(list, email string, confirmed bool) *bulletin.SubscribeResult {
	e.t.Helper()
	res, err := e.db.Subscribe(context.Background(), bulletin.SubscribeRequest{List: list, Email: email, Method: "admin", Confirmed: confirmed})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// do sends a request and returns status and body, never following
// redirects (RFC 8058 forbids answering one-click with a redirect).
func (e *subsEnv) do(method, path, contentType, body string, hdr ...string) (int, string) {
	e.t.Helper()
	resp := e.resp(method, path, contentType, body, hdr...)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

func (e *subsEnv) resp(method, path, contentType, body string, hdr ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func (e *subsEnv) postForm(path string, v url.Values, hdr ...string) (int, string) {
	return e.do("POST", path, "application/x-www-form-urlencoded", v.Encode(), hdr...)
}

// status returns the subscriber's status and its membership statuses.
func (e *subsEnv) status(email string) string {
	e.t.Helper()
	var out string
	err := e.db.Pool.QueryRow(context.Background(), `SELECT s.status || ':' || coalesce(string_agg(l.slug || '=' || x.status, ',' ORDER BY l.slug), '')
		FROM subscribers s LEFT JOIN subscriptions x ON x.subscriber_id = s.id LEFT JOIN lists l ON l.id = x.list_id
		WHERE s.email = $1 GROUP BY s.id`, email).Scan(&out)
	if err != nil {
		return "none"
	}
	return out
}

// mails sends the queued confirmation emails and returns every captured
// message, newest first.
func (e *subsEnv) mails() []*mail.Message {
	e.t.Helper()
	if err := e.mail.Drain(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	ms, err := e.db.FindCapturedMessages(context.Background(), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*mail.Message
	for _, m := range ms {
		full, err := e.db.FindCapturedMessage(context.Background(), m.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(full.Data))
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, msg)
	}
	return out
}

var confirmLinkRE = regexp.MustCompile(`https?://\S+/confirm/[A-Za-z0-9_-]+`)

// confirmLink returns the confirmation URL in a captured message.
func confirmLink(t *testing.T, m *mail.Message) string {
	t.Helper()
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	b, _ := io.ReadAll(body)
	link := confirmLinkRE.FindString(string(b))
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", b)
	}
	return link
}
