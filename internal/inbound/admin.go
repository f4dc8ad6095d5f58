package inbound

import (
	"context"
	"fmt"

	"bulletin/internal/bulletin"
)

// ComplaintLine is the complaint rate bulk senders must stay under
// (Gmail and Yahoo, 2024): 0.3 %.
const ComplaintLine = 0.003

// IssueCounts is an issue's bounces and complaints against what it
// delivered.
type IssueCounts struct {
	IssueID    int64
	Newsletter string
	Number     int
	Delivered  int64
	Bounces    int
	Complaints int
}

// ComplaintRate is complaints per message delivered.
func (c IssueCounts) ComplaintRate() float64 {
	if c.Delivered == 0 {
		return 0
	}
	return float64(c.Complaints) / float64(c.Delivered)
}

// ComplaintPercent is the complaint rate in per cent.
func (c IssueCounts) ComplaintPercent() float64 { return 100 * c.ComplaintRate() }

// OverLine reports whether the complaint rate reached ComplaintLine.
func (c IssueCounts) OverLine() bool { return c.ComplaintRate() >= ComplaintLine }

// ItemStore is what MakeItem needs besides the Store.
type ItemStore interface {
	AttachInboundItem(ctx context.Context, id int64, it *bulletin.Item) error
}

// ProcessAgain processes a stored message again, after a fix. Effects stay
// idempotent: a failed delivery is not failed twice, an unsubscribe not
// repeated, and a message already made an item makes no second one.
func (p *Processor) ProcessAgain(ctx context.Context, id int64, reset func(ctx context.Context, id int64) error) error {
	m, err := p.Store.FindInbound(ctx, id)
	if err != nil {
		return err
	}
	if m.ItemID != nil {
		return bulletin.Errorf(bulletin.ECONFLICT, "message %d is item %d already: edit the item instead", id, *m.ItemID)
	}
	if err := reset(ctx, id); err != nil {
		return err
	}
	return p.process(ctx, id)
}

// MakeItem turns a stored message (mail from an unknown sender, usually)
// into a submitted item, for an editor.
func (p *Processor) MakeItem(ctx context.Context, id int64, items ItemStore) (int64, error) {
	m, err := p.Store.FindInbound(ctx, id)
	if err != nil {
		return 0, err
	}
	if m.ItemID != nil {
		return 0, bulletin.Errorf(bulletin.ECONFLICT, "message %d is item %d already", id, *m.ItemID)
	}
	if p.Contributions == nil {
		return 0, bulletin.Errorf(bulletin.EUNPROCESSABLE, "contributions by email are not set up on this server")
	}
	con, err := p.Contributions.ParseContribution(m.Raw)
	if err != nil {
		return 0, bulletin.Errorf(bulletin.EINVALID, "the message could not be read: %v", err)
	}
	t, _ := p.Addresses.Parse(m.RcptTo)
	it := &bulletin.Item{Newsletter: t.Slug, Kind: bulletin.KindArticle, Title: con.Title, Body: con.Body, URL: con.URL,
		Source: fmt.Sprintf("By email from %s", m.From)}
	if it.Body == "" && it.URL != "" {
		it.Kind = bulletin.KindLink
	}
	if err := items.AttachInboundItem(ctx, id, it); err != nil {
		return 0, err
	}
	return it.ID, nil
}
