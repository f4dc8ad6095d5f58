package outbox_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"bulletin/internal/bulletin"
	"bulletin/internal/outbox"
	"bulletin/templates"
)

// Every account and notification kind is rendered from its built-in
// template and delivered to a real SMTP server, once, with its link.
func TestNoticesSentThroughQueue(t *testing.T) {
	t.Parallel()
	db, sink, svc := queue(t)
	notices, err := outbox.NewNotices(templates.Builtin(), "https://news.example.org", "")
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range notices {
		svc.Renderers[k] = r
	}
	ctx := context.Background()
	cases := map[string]bulletin.NoticeMail{
		bulletin.MailInvite:       {To: "invite@example.org", Values: map[string]any{"Inviter": "Boss", "Role": "editor", "Path": "/invite/TOK1", "Hours": 72}},
		bulletin.MailAccountKnown: {To: "known@example.org", Values: map[string]any{"Inviter": "Boss", "ResetPath": "/login/forgot"}},
		bulletin.MailReset:        {To: "reset@example.org", Name: "Carol", Values: map[string]any{"Path": "/reset/TOK2", "Minutes": 60}},
		bulletin.MailDigest: {To: "digest@example.org", Values: map[string]any{"Count": 1, "Path": "/admin/items",
			"Items": []map[string]any{{"Title": "Bike lanes", "Newsletter": "Weekly", "By": "Carol"}}}},
		bulletin.MailReviewed: {To: "reviewed@example.org", Values: map[string]any{"Title": "Lost cat", "Approved": false,
			"Note": "Use the board.", "Newsletter": "Weekly", "Path": "/contribute"}},
		bulletin.MailPublished: {To: "published@example.org", Values: map[string]any{"Title": "Bike lanes", "Number": 7,
			"Newsletter": "Weekly", "Path": "/archive/weekly/7#item-2"}},
		bulletin.MailSendReport: {To: "report@example.org", Values: map[string]any{"Number": 7, "Newsletter": "Weekly",
			"Subject": "Weekly 7", "Delivered": 24, "Failed": 1, "Bounced": 2, "Path": "/admin/issues/weekly/7"}},
	}
	want := map[string][]string{
		bulletin.MailInvite:       {"Subject: You are invited", "https://news.example.org/invite/TOK1", "72 hours"},
		bulletin.MailAccountKnown: {"already has an", "https://news.example.org/login/forgot"},
		bulletin.MailReset:        {"Hello Carol", "https://news.example.org/reset/TOK2", "60 minutes"},
		bulletin.MailDigest:       {"Subject: 1 new submission to review", "- Bike lanes (Weekly, from Carol)", "https://news.example.org/admin/items"},
		bulletin.MailReviewed:     {"Subject: Not accepted: Lost cat", "Use the board."},
		bulletin.MailPublished:    {"Subject: Published in Update 7: Bike lanes", "https://news.example.org/archive/weekly/7#item-2"},
		bulletin.MailSendReport:   {"Delivered: 24", "Failed:    1", "Bounced:   2", "https://news.example.org/admin/issues/weekly/7"},
	}
	for kind, m := range cases {
		if err := db.EnqueueMail(ctx, kind, m); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := svc.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for kind, m := range cases {
		if n := sink.Received(m.To); n != 1 {
			t.Errorf("%s: %d messages, want 1", kind, n)
			continue
		}
		body := strings.ReplaceAll(string(sink.Last(m.To)), "=\r\n", "")
		for _, w := range want[kind] {
			if !strings.Contains(body, w) {
				t.Errorf("%s: no %q in\n%s", kind, w, body)
			}
		}
	}
}

// An overridden template is used; a broken one stops start-up with its
// name.
func TestNoticeTemplatesOverridable(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{}
	for _, k := range outbox.NoticeKinds {
		fsys["email/"+k+".txt.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "subject"}}Ours{{end}}Our {{.URL}}`)}
	}
	rs, err := outbox.NewNotices(fsys, "https://x.example", "")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := rs[bulletin.MailReset].Render([]byte(`{"to":"a@example.org","values":{"Path":"/reset/T"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if _, err := msg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Subject: Ours") || !strings.Contains(b.String(), "Our https://x.example/reset/T") {
		t.Fatalf("override not used:\n%s", b.String())
	}
	fsys["email/"+bulletin.MailDigest+".txt.tmpl"] = &fstest.MapFile{Data: []byte(`{{if}}`)}
	if _, err := outbox.NewNotices(fsys, "https://x.example", ""); err == nil || !strings.Contains(err.Error(), "submissions_digest") {
		t.Fatalf("broken template: %v", err)
	}
	fsys["email/"+bulletin.MailDigest+".txt.tmpl"] = &fstest.MapFile{Data: []byte(`no subject`)}
	if _, err := outbox.NewNotices(fsys, "https://x.example", ""); err == nil || !strings.Contains(err.Error(), "subject") {
		t.Fatalf("template without a subject: %v", err)
	}
}
