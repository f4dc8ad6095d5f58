package inbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"bulletin/internal/bulletin"
)

// Processor stores inbound messages first and acts on them after, each
// effect in one transaction with the record that it was done.
type Processor struct {
	Store     Store
	Addresses Addresses
	// Contributions and Verifier may be nil: contributions are then kept
	// for an editor, and no sender counts as verified.
	Contributions ContributionParser
	Verifier      SenderVerifier
	Replies       Replier       // nil: no automatic replies
	BaseURL       string        // for the link in acknowledgements
	MaxBytes      int           // raw bytes kept; DefaultMaxBytes when 0
	BounceAfter   int           // hard failures that make a subscriber bounced; 3 when 0
	SweepEvery    time.Duration // Run's interval; 30 s when 0
	Metrics       *Metrics
	Log           *slog.Logger
}

// Reply limits per address: acknowledgements to registered contributors,
// and the one polite answer to an unknown sender.
const (
	ackPerHour    = 10
	unknownPerDay = 1
)

// Receive stores one message for one envelope recipient and processes it.
// An error means the message was not stored: the caller must not accept
// it (SMTP 451, IMAP: leave unseen). Once stored, processing errors are
// recorded and retried by Run, never returned.
func (p *Processor) Receive(ctx context.Context, source string, env Envelope, raw []byte) (*Message, error) {
	m := p.message(source, env, raw)
	stored, err := p.Store.SaveInbound(ctx, m)
	if err != nil {
		return nil, err
	}
	if !stored {
		p.Metrics.duplicate()
		p.log().Info("inbound message already stored", "id", m.ID, "source", source)
		return m, nil
	}
	p.Metrics.received(source)
	p.Process(ctx, m.ID)
	return m, nil
}

// message builds the row for raw: the header fields the list shows, the
// raw bytes up to the cap, and the dedupe key.
func (p *Processor) message(source string, env Envelope, raw []byte) *Message {
	max := p.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	c := Classify(env, raw, Addresses{}) // headers only; classification proper comes with processing
	m := &Message{Source: source, MailFrom: clean(env.MailFrom), RcptTo: clean(strings.ToLower(env.RcptTo)),
		MessageID: c.MessageID, From: c.From, Subject: c.Subject, Size: len(raw), Raw: raw}
	if len(raw) > max {
		m.Raw = raw[:max]
	}
	// The same message to the same recipient is one message, however often
	// it is delivered. Without a Message-ID the bytes decide.
	key := sha256.New()
	if c.MessageID != "" {
		fmt.Fprintf(key, "id\x00%s\x00%s", strings.ToLower(c.MessageID), m.RcptTo)
	} else {
		fmt.Fprintf(key, "raw\x00%s\x00", m.RcptTo)
		key.Write(raw)
	}
	// The key does not name the source: a message both polled and
	// received directly is still one message.
	m.DedupeKey = "mail:" + hex.EncodeToString(key.Sum(nil))
	return m
}

// Process classifies stored message id and applies its effect. Errors are
// logged and recorded on the message, which stays unprocessed.
func (p *Processor) Process(ctx context.Context, id int64) {
	if err := p.process(ctx, id); err != nil {
		p.log().Error("process inbound message", "id", id, "err", err)
		if err := p.Store.FailInbound(context.WithoutCancel(ctx), id, err.Error()); err != nil {
			p.log().Error("record inbound error", "id", id, "err", err)
		}
	}
}

func (p *Processor) process(ctx context.Context, id int64) error {
	m, err := p.Store.FindInbound(ctx, id)
	if err != nil {
		return err
	}
	if m.Processed {
		return nil
	}
	c := Classify(Envelope{MailFrom: m.MailFrom, RcptTo: m.RcptTo}, m.Raw, p.Addresses)
	a := p.action(ctx, c, m)
	out, err := p.Store.ApplyInbound(ctx, id, a)
	if err != nil {
		return err
	}
	if out.Done {
		return nil
	}
	p.Metrics.processed(a.Kind)
	p.log().Info("inbound message", "id", id, "kind", a.Kind, "effect", out.Effect)
	if a.Kind == KindContribution {
		p.answer(ctx, m, c, a, out)
	}
	return nil
}

// action turns a classification into what to do.
func (p *Processor) action(ctx context.Context, c Class, m *Message) Action {
	a := Action{Kind: c.Kind, Reason: c.Reason, BounceAfter: p.BounceAfter}
	switch c.Kind {
	case KindBounce:
		a.Failed, a.Permanent = c.Action == "failed", c.Permanent
		a.Status, a.Diagnostic = c.Status, c.Diagnostic
		switch {
		case c.Ours && c.Target.Kind == KindBounce && c.Target.BadTag:
			// A forged or guessed bounce address: act on nothing it says.
			a.Kind, a.Reason = KindUnknown, "bounce to an address with a wrong tag"
		case c.Ours && c.Target.DeliveryID != 0:
			a.DeliveryID, a.IssueID = c.Target.DeliveryID, c.Target.IssueID
		default:
			a.Recipient = c.Recipient
		}
	case KindComplaint:
		a.DeliveryID, a.IssueID, a.Token, a.Email = c.Complained.DeliveryID, c.Complained.IssueID, c.Complained.Token, c.ComplainedTo
		a.Status = c.FeedbackType
		if a.DeliveryID == 0 && c.Ours && c.Target.DeliveryID != 0 {
			a.DeliveryID, a.IssueID = c.Target.DeliveryID, c.Target.IssueID // sent on to the Return-Path (SES feedback forwarding)
		}
	case KindUnsubscribe:
		a.Token = c.Target.Token
	case KindContribution:
		a.Contributor = c.From
		if p.Verifier != nil {
			v := p.Verifier.VerifySender(ctx, m.Raw)
			a.Verified, a.VerifyMethod = v.Verified, v.Method
		}
		if p.Contributions == nil {
			a.Refusal = "contributions by email are not set up on this server"
			break
		}
		con, err := p.Contributions.ParseContribution(m.Raw)
		if err != nil {
			a.Refusal = "the message could not be read: " + err.Error()
			break
		}
		a.Item = &bulletin.Item{Newsletter: c.Target.Slug, Kind: bulletin.KindArticle, Title: con.Title, Body: con.Body, URL: con.URL}
		if a.Item.Body == "" && a.Item.URL != "" {
			a.Item.Kind = bulletin.KindLink
		}
		if con.Attachments > 0 {
			a.Reason = fmt.Sprintf("%d attachment(s) not imported", con.Attachments)
		}
	}
	return a
}

// answer acknowledges a contribution, or tells an unknown sender how to
// get an account: only to a verified sender (a reply to a forged one is
// backscatter), never to automatic mail, a bounce or our own domain, and
// within the per-address limits.
func (p *Processor) answer(ctx context.Context, m *Message, c Class, a Action, out Outcome) {
	if p.Replies == nil || !a.Verified || c.Auto || m.MailFrom == "" || c.From == "" ||
		domainIs(c.From, p.Addresses.Domain) || domainIs(m.MailFrom, p.Addresses.Domain) {
		return
	}
	r := Reply{To: c.From, InReplyTo: c.MessageID, Subject: "Re: " + c.Subject}
	kind, max, per := "ack", ackPerHour, time.Hour
	switch {
	case !out.UserKnown:
		kind, max, per = "unknown", unknownPerDay, 24*time.Hour
		r.Text = "Thank you for writing. Contributions by email are accepted from registered contributors only.\n" +
			"An editor will read your message. To contribute yourself, ask an editor for an account, then sign in at\n" +
			p.BaseURL + "/contribute\n"
	case out.Refused != "":
		r.Text = "Your contribution could not be saved: " + out.Refused + "\nNothing was stored. Fix it and send it again.\n"
	default:
		r.Text = fmt.Sprintf("Thank you: your contribution is saved as item %d and awaits review.\nSee it at %s/contribute\n", out.ItemID, p.BaseURL)
		if a.Reason != "" && strings.Contains(a.Reason, "attachment") {
			r.Text += "Attachments are not imported: " + a.Reason + ".\n"
		}
	}
	ok, err := p.Store.AllowReply(ctx, c.From, kind, max, per)
	if err != nil {
		p.log().Error("reply rate limit", "err", err)
		return
	}
	if !ok {
		p.log().Info("reply withheld: rate limit", "to", c.From, "kind", kind)
		return
	}
	if err := p.Replies.SendReply(ctx, r); err != nil {
		p.log().Error("send reply", "to", c.From, "err", err)
		return
	}
	p.Metrics.replied()
}

// Run processes, every SweepEvery, messages stored but not processed:
// those a crash or an error left behind. It returns when ctx is done.
func (p *Processor) Run(ctx context.Context) error {
	interval := p.SweepEvery
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := p.Sweep(ctx); err != nil && ctx.Err() == nil {
			p.log().Error("inbound sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Sweep processes every stored, unprocessed message once.
func (p *Processor) Sweep(ctx context.Context) error {
	ids, err := p.Store.UnprocessedInbound(ctx, 500)
	if err != nil {
		return err
	}
	for _, id := range ids {
		p.Process(ctx, id)
	}
	return nil
}

func (p *Processor) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}
