package main

import (
	"context"
	"fmt"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/capture"
)

// demoSending has the demo report what the sender role mailed: the
// current issue is due at once (auto_send), so the sender fans it out to
// the demo readers and delivers through the capture, after the history's.
func demoSending(m *Main, current int) []string {
	m.add("demo-report", func(ctx context.Context) error { return m.reportDemoSend(ctx, current) })
	return []string{
		fmt.Sprintf("Sending:      issue %d goes to the demo readers through the SMTP capture (progress: issue API, admin UI, %s/metrics)", current, m.Config.BaseURL),
	}
}

// reportDemoSend logs the captured copies of the current issue once it is
// sent, so the whole cycle is visible in the terminal.
func (m *Main) reportDemoSend(ctx context.Context, current int) error {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		is, err := m.DB.FindIssueByNumber(ctx, "", current)
		if err != nil || is.Status != bulletin.IssueSent {
			continue
		}
		msgs, err := m.DB.FindCapturedMessages(ctx, 100_000)
		if err != nil {
			return nil // a report, not a service: never stop the demo over it
		}
		var copies []capture.Message
		for _, c := range msgs {
			if c.Subject == is.Subject {
				copies = append(copies, c)
			}
		}
		m.Log.Info(fmt.Sprintf("demo: issue %d sent", current), "copies", len(copies), "captured_messages", len(msgs))
		for _, c := range copies {
			m.Log.Info("demo: captured", "to", c.To, "subject", c.Subject)
		}
		return nil
	}
}
