package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"bulletin/internal/bulletin"
)

// demoSubscribers are the readers issue 1 goes to in the demo.
var demoSubscribers = [][2]string{
	{"ada@example.org", "Ada"}, {"ben@example.org", "Ben"}, {"chidi@example.org", "Chidi"},
	{"dana@example.org", "Dana"}, {"eun-ji@example.org", "Eun-ji"},
}

// seedDemoSubscribers puts the sample readers on a list of the default
// newsletter (idempotent), so the sender role delivers issue 1 through the
// capture once its time has come, and reports when it has.
func seedDemoSubscribers(ctx context.Context, m *Main) ([]string, error) {
	if _, err := m.DB.Pool.Exec(ctx, `INSERT INTO lists (slug, name, description, public, double_optin)
		VALUES ('readers', 'Readers', 'Everyone who gets the weekly update', true, true) ON CONFLICT (slug) DO NOTHING;
		INSERT INTO newsletter_lists SELECT n.id, l.id FROM newsletters n, lists l
		WHERE n.is_default AND l.slug = 'readers' ON CONFLICT DO NOTHING`); err != nil {
		return nil, fmt.Errorf("demo list: %w", err)
	}
	for _, s := range demoSubscribers {
		var tok [16]byte
		_, _ = rand.Read(tok[:])
		if _, err := m.DB.Pool.Exec(ctx, `WITH s AS (
				INSERT INTO subscribers (email, name, token) VALUES ($1, $2, $3)
				ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id)
			INSERT INTO subscriptions (list_id, subscriber_id, consent_at, consent_method)
			SELECT l.id, s.id, now(), 'admin' FROM s, lists l WHERE l.slug = 'readers' ON CONFLICT DO NOTHING`,
			s[0], s[1], base64.RawURLEncoding.EncodeToString(tok[:])); err != nil {
			return nil, fmt.Errorf("demo subscribers: %w", err)
		}
	}
	m.services = append(m.services, m.reportDemoSend)
	return []string{
		fmt.Sprintf("Sending:      issue 1 goes to %d demo subscribers through the SMTP capture (progress in the issue API, %s/metrics)", len(demoSubscribers), m.Config.BaseURL),
	}, nil
}

// reportDemoSend logs the captured messages once the demo's first issue is
// sent, so the whole cycle is visible in the terminal.
func (m *Main) reportDemoSend(ctx context.Context) error {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		is, err := m.DB.FindSendIssue(ctx, "", 1)
		if err != nil || is.Status != bulletin.IssueSent {
			continue
		}
		msgs, err := m.DB.FindCapturedMessages(ctx, 20)
		if err != nil {
			return nil // a report, not a service: never stop the demo over it
		}
		m.Log.Info("demo: issue 1 sent", "captured_messages", len(msgs))
		for _, c := range msgs {
			m.Log.Info("demo: captured", "to", c.To, "subject", c.Subject)
		}
		return nil
	}
}
