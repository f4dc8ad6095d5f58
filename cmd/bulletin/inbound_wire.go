package main

import (
	"context"
	"net/http"

	"bulletin/internal/inbound"
	"bulletin/internal/inbound/contrib"
	"bulletin/internal/inbound/verify"
	"bulletin/internal/web"
	"bulletin/internal/webhook"
)

// contribParser adapts internal/inbound/contrib to the processor's
// ContributionParser.
type contribParser struct{}

func (contribParser) ParseContribution(raw []byte) (inbound.Contribution, error) {
	c, err := contrib.Parse(raw)
	return inbound.Contribution{Title: c.Title, Body: c.Body, URL: c.URL, Attachments: c.Attachments}, err
}

// senderVerifier adapts internal/inbound/verify: aligned DKIM through the
// system resolver, or dmarc=pass from the trusted authserv-id.
type senderVerifier struct{ authServID string }

func (v senderVerifier) VerifySender(ctx context.Context, raw []byte) inbound.Verification {
	r := verify.Sender(ctx, raw, verify.Options{AuthServID: v.authServID})
	return inbound.Verification{Verified: r.Verified, Method: r.Method, Domain: r.Domain}
}

// webhookSink applies a provider's events through the inbound processor,
// stored in inbound_messages like the mail they stand for.
type webhookSink struct{ p *inbound.Processor }

func (s webhookSink) Apply(ctx context.Context, ev webhook.Event) error {
	return s.p.ApplyEvent(ctx, inbound.Event(ev))
}

// wireWebhooks mounts /webhooks/ses and /webhooks/postmark when their
// settings are given. They need no inbound domain: an organisation sending
// through a provider gets its bounces and complaints this way.
func (m *Main) wireWebhooks(srv *web.Server) {
	wh := m.Config.Webhooks
	if !wh.SES && wh.PostmarkSecret == "" {
		return
	}
	p := &inbound.Processor{Store: m.DB, BaseURL: m.Config.BaseURL, MaxBytes: m.Config.Inbound.MaxBytes,
		Log: m.Log.With("role", "webhooks")}
	if m.inbound != nil && m.inbound.processor != nil {
		p = m.inbound.processor
	}
	sink := webhookSink{p}
	srv.Webhooks = map[string]http.Handler{}
	if wh.SES {
		srv.Webhooks["ses"] = webhook.SES(sink, webhook.SESOptions{Topics: wh.SESTopics, Log: m.Log})
	}
	if wh.PostmarkSecret != "" {
		srv.Webhooks["postmark"] = webhook.Postmark(sink, webhook.PostmarkOptions{Secret: wh.PostmarkSecret, Log: m.Log})
	}
}
