package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/inbound"
)

// demoInboundDomain is the demo's own inbound domain, unless
// BULLETIN_INBOUND_DOMAIN names another.
const demoInboundDomain = "in.bulletin.test"

// demoInbound turns the inbound role on (issue 13): its listener on
// BULLETIN_INBOUND_ADDR (127.0.0.1:2526 by default), sample bounces, a
// complaint and an emailed contribution once the current issue is sent, and the
// lines that say how to try it. current is the number of the issue the
// samples answer.
func demoInbound(m *Main, current int) ([]string, error) {
	in := &m.Config.Inbound
	if in.Domain == "" {
		in.Domain = demoInboundDomain
	}
	// A busy port is said in one line, before anything starts.
	ln, err := net.Listen("tcp", in.Addr)
	if err != nil {
		return nil, fmt.Errorf("inbound SMTP: cannot listen on %s (%v); choose another with --inbound-addr", in.Addr, err)
	}
	m.Config.Roles.Inbound = true
	if err := m.prepareInbound(); err != nil {
		ln.Close()
		return nil, err
	}
	m.inbound.listener = ln
	addr := ln.Addr().String()
	m.add("demo-inbound-samples", func(ctx context.Context) error { return m.seedDemoInbound(ctx, current) })
	// Delivery 5 exists once the first issue is out: the history's oldest,
	// compiled first into a fresh database, so issue 1. The samples use
	// the current issue's deliveries.
	bounce := m.inbound.addrs.Bounce(1, 5)
	return []string{
		fmt.Sprintf("Inbound SMTP: %s for *@%s  (bounces, complaints, unsubscribes, contributions; counts at %s/metrics)", addr, in.Domain, m.Config.BaseURL),
		fmt.Sprintf("  contribute: swaks --server %s --from contributor@example.org --to contribute@%s --header 'Subject: A new bakery on Mill Lane' --body 'It opens on Saturday.'", addr, in.Domain),
		fmt.Sprintf("  bounce:     swaks --server %s --from '<>' --to %s --header 'Subject: Undelivered Mail Returned to Sender' --body '550 5.1.1 <reader@example.org>: User unknown'  (fails delivery 5)", addr, bounce),
	}, nil
}

// seedDemoInbound feeds the processor, once the current issue is sent, two
// permanent bounces, a delayed one, a complaint and an emailed
// contribution, so the counts have something to show. A demo resumed
// from --data-dir finds them there and adds none.
func (m *Main) seedDemoInbound(ctx context.Context, current int) error {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	var ids []int64
	var issue int64
	for len(ids) < 4 {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		is, err := m.DB.FindSendIssue(ctx, "", current)
		if err != nil || is.Status != bulletin.IssueSent {
			continue
		}
		var seeded bool
		if err := m.DB.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM inbound_messages WHERE source = 'demo')`).Scan(&seeded); err != nil || seeded {
			return nil // a demo, not a service: never stop over it
		}
		issue = is.ID
		rows, _ := m.DB.Pool.Query(ctx, `SELECT id FROM deliveries WHERE issue_id = $1 AND status = 'sent' ORDER BY id LIMIT 4`, is.ID)
		for rows.Next() {
			var id int64
			if rows.Scan(&id) == nil {
				ids = append(ids, id)
			}
		}
		rows.Close()
	}
	p, a := m.inbound.processor, m.inbound.addrs
	var email [4]string
	for i, id := range ids {
		_ = m.DB.Pool.QueryRow(ctx, `SELECT s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.id = $1 AND d.issue_id = $2`, id, issue).Scan(&email[i])
	}
	msgs := []struct {
		env inbound.Envelope
		raw []byte
	}{
		{inbound.Envelope{RcptTo: a.Bounce(issue, ids[0])}, inbound.SampleDSN(a.Bounce(issue, ids[0]), email[0], "failed", "5.1.1", "smtp; 550 5.1.1 <"+email[0]+">: Recipient address rejected: User unknown")},
		{inbound.Envelope{RcptTo: a.Bounce(issue, ids[1])}, inbound.SampleDSN(a.Bounce(issue, ids[1]), email[1], "failed", "5.2.1", "smtp; 550 5.2.1 The email account that you tried to reach is disabled")},
		{inbound.Envelope{RcptTo: a.Bounce(issue, ids[2])}, inbound.SampleDSN(a.Bounce(issue, ids[2]), email[2], "delayed", "4.4.1", "X-Postfix; connect to mx.example.net[192.0.2.1]:25: Connection timed out")},
		{inbound.Envelope{MailFrom: "feedback@fbl.example.com", RcptTo: "fbl@" + a.Domain}, inbound.SampleARF("fbl@"+a.Domain, a.Bounce(issue, ids[3]))},
		{inbound.Envelope{MailFrom: "contributor@example.org", RcptTo: a.Contribute("", true)},
			inbound.SampleMail("Cleo Contributor <contributor@example.org>", a.Contribute("", true), "Re: The library's new opening hours",
				"From next week the library opens at 8 on weekdays.\n\nhttps://example.org/library")},
	}
	for _, s := range msgs {
		if _, err := p.Receive(ctx, inbound.SourceDemo, s.env, s.raw); err != nil {
			m.Log.Warn("demo: inbound sample", "err", err)
		}
	}
	m.Log.Info("demo: inbound samples processed", "bounces", 3, "complaints", 1, "contributions", 1)
	return nil
}
