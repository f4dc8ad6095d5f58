package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/inbound"
	"bulletin/internal/pgtest"
	"bulletin/internal/smtp"
)

// Automatic replies go through the transactional mail path to a real SMTP
// server, marked as automatic (RFC 3834) and threaded to the message.
func TestReplyMailerMarksRepliesAutomatic(t *testing.T) {
	db := pgtest.New(t)
	srv, err := capture.Start("127.0.0.1:0", db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := &replyMailer{mailer: &smtp.Mailer{SMTP: config.PlainSMTP(srv.Addr)}, from: "noreply@in.example.test"}
	err = r.SendReply(context.Background(), inbound.Reply{To: "ann@example.com", Subject: "Re: A tip",
		Text: "Thank you.", InReplyTo: "<orig@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.FindCapturedMessages(context.Background(), 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("%d messages captured (err %v)", len(ms), err)
	}
	full, err := db.FindCapturedMessage(context.Background(), ms[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(full.Data), "\r\n\r\n")
	for _, want := range []string{"Auto-Submitted: auto-replied", "In-Reply-To: <orig@example.com>", "From: <noreply@in.example.test>", "To: <ann@example.com>"} {
		if !strings.Contains(head, want) {
			t.Errorf("reply lacks %q:\n%s", want, head)
		}
	}
	if err := r.SendReply(context.Background(), inbound.Reply{To: "not an address", Subject: "x", Text: "x"}); err == nil {
		t.Error("a reply to a bad address was sent")
	}
}
