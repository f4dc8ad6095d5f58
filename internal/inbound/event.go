package inbound

import (
	"context"
	"fmt"
	"strings"
)

// Event is a bounce or complaint reported by a sending provider's webhook.
// Its fields are those of internal/webhook's Event, in the same order, so
// a webhook.Event converts to it directly: inbound.Event(ev).
type Event struct {
	Source     string // ses, postmark
	ID         string // the provider's id of the notification
	Kind       string // bounce, complaint
	Recipient  string
	MessageID  string
	Status     string
	Diagnostic string
	Permanent  bool
	Raw        []byte
}

// ApplyEvent stores a provider's event in inbound_messages and applies the
// same effects as the mail it stands for. The same event sent twice is
// stored and applied once.
func (p *Processor) ApplyEvent(ctx context.Context, ev Event) error {
	if ev.Kind != KindBounce && ev.Kind != KindComplaint {
		return fmt.Errorf("webhook event %s: kind %q is not bounce or complaint", ev.ID, ev.Kind)
	}
	if ev.Source != SourceSES && ev.Source != SourcePostmark {
		return fmt.Errorf("webhook event %s: unknown source %q", ev.ID, ev.Source)
	}
	if ev.ID == "" || ev.Recipient == "" {
		return fmt.Errorf("webhook event from %s: an id and a recipient are required", ev.Source)
	}
	m := &Message{Source: ev.Source, Kind: ev.Kind, RcptTo: clean(strings.ToLower(ev.Recipient)),
		MessageID: clean(ev.MessageID), Size: len(ev.Raw), Raw: ev.Raw,
		DedupeKey: ev.Source + ":" + clean(ev.ID) + ":" + clean(strings.ToLower(ev.Recipient))}
	if m.Raw == nil {
		m.Raw = []byte{}
	}
	stored, err := p.Store.SaveInbound(ctx, m)
	if err != nil {
		return err
	}
	if !stored {
		p.Metrics.duplicate()
		return nil
	}
	p.Metrics.received(ev.Source)
	a := Action{Kind: ev.Kind, BounceAfter: p.BounceAfter, Status: clean(ev.Status), Diagnostic: clean(ev.Diagnostic)}
	if ev.Kind == KindBounce {
		a.Recipient, a.Failed, a.Permanent = m.RcptTo, ev.Permanent, ev.Permanent
		if a.Status == "" && ev.Permanent {
			a.Status = "5.0.0"
		}
	} else {
		a.Email = m.RcptTo
	}
	out, err := p.Store.ApplyInbound(ctx, m.ID, a)
	if err != nil {
		return err
	}
	if !out.Done {
		p.Metrics.processed(a.Kind)
	}
	p.log().Info("webhook event", "id", m.ID, "source", ev.Source, "kind", ev.Kind, "effect", out.Effect)
	return nil
}
