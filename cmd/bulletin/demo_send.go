package main

import (
	"context"
	"fmt"
	"time"

	"bulletin/internal/bulletin"
)

// demoSending has the demo report what the sender role mailed: issue 1
// is due at once (auto_send), so the sender fans it out to the demo
// readers and delivers through the capture.
func demoSending(m *Main) []string {
	m.add("demo-report", m.reportDemoSend)
	return []string{
		fmt.Sprintf("Sending:      issue 1 goes to the demo readers through the SMTP capture (progress: issue API, admin UI, %s/metrics)", m.Config.BaseURL),
	}
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
		msgs, err := m.DB.FindCapturedMessages(ctx, 100)
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
