package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

	"bulletin/internal/bulletin"

	"github.com/wneessen/go-mail"
)

// confirmURL is the link in a confirmation email.
func (s *Server) confirmURL(token string) string {
	return s.BaseURL + "/confirm/" + token
}

// mailConfirmation sends the double opt-in email in the background, so that
// the page answers as fast for a new address as for a known one (no
// enumeration by timing). Failures are logged here, once.
func (s *Server) mailConfirmation(res *bulletin.SubscribeResult) {
	if res.ConfirmToken == "" {
		return
	}
	m, err := s.confirmationMessage(res)
	if err != nil {
		s.Log.Error("confirmation email: build", "list", res.List.Slug, "err", err)
		return
	}
	if s.ConfirmMailer == nil {
		s.Log.Error("confirmation email: no SMTP server configured (BULLETIN_SMTP_URL)", "list", res.List.Slug)
		return
	}
	s.subs.mailing.Add(1)
	go func() {
		defer s.subs.mailing.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.ConfirmMailer.Send(ctx, m); err != nil {
			s.Log.Error("confirmation email: send", "list", res.List.Slug, "subscriber", res.Subscriber.ID, "err", err)
		}
	}()
}

// confirmationMessage builds the plain-text confirmation email. Names and
// addresses reach headers only through go-mail's address parsing and
// encoded Subject, and list names cannot hold CR/LF (bulletin.CheckName).
func (s *Server) confirmationMessage(res *bulletin.SubscribeResult) (*mail.Msg, error) {
	var body bytes.Buffer
	err := s.subs.confirmTmpl.Execute(&body, map[string]any{
		"List":  res.List.Name,
		"Email": res.Subscriber.Email,
		"URL":   s.confirmURL(res.ConfirmToken),
		"Hours": int(bulletin.ConfirmTTL.Hours()),
	})
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	from, fromName := res.Sender.Email, res.Sender.Name
	if from == "" {
		from = "no-reply@" + s.mailDomain()
	}
	if fromName == "" {
		fromName = res.List.Name
	}
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	// FromFormat would wrap the name in quotes unescaped, so a list name
	// holding a '"' broke the header; net/mail quotes or encodes it.
	fromAddr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", from, err)
	}
	fromAddr.Name = fromName
	m.SetAddrHeaderFromMailAddress(mail.HeaderFrom, fromAddr)
	if err := m.To(res.Subscriber.Email); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	m.Subject("Confirm your subscription to " + res.List.Name)
	var id [12]byte
	rand.Read(id[:])
	m.SetMessageIDWithValue(hex.EncodeToString(id[:]) + "@" + from[strings.LastIndexByte(from, '@')+1:])
	m.SetDate()
	m.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, body.String())
	return m, nil
}

// mailDomain is the host of BaseURL, for a fallback From address.
func (s *Server) mailDomain() string {
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}
