package webhook

import (
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"time"
)

// SESOptions configures the SES (SNS) handler. The zero value is usable:
// real SNS hosts, the network fetcher, any topic, no auto-confirmation.
type SESOptions struct {
	// Topics lists the SNS topic ARNs accepted; empty accepts any topic.
	// A message from another topic gets 403.
	Topics []string
	// CertHost must match the host of SigningCertURL and SubscribeURL
	// (always https, default port). Default: DefaultCertHost.
	CertHost *regexp.Regexp
	// Fetch gets certificates and confirms subscriptions. Default:
	// HTTPFetcher(nil).
	Fetch Fetcher
	// Roots, when set, is the pool the signing certificate must chain to.
	// Nil trusts the certificate because it came over https from CertHost.
	Roots *x509.CertPool
	// MaxBytes caps the request body; default DefaultMaxBytes.
	MaxBytes int64
	Log      *slog.Logger
	Now      func() time.Time // default time.Now; for certificate validity
}

type sesHandler struct {
	sink  Sink
	opts  SESOptions
	log   *slog.Logger
	certs *certCache
}

// SES returns the handler for /webhooks/ses: SNS notifications carrying
// SES bounce and complaint events.
//
// A SubscriptionConfirmation whose topic is in Topics is confirmed by
// fetching its SubscribeURL through the same host check and Fetcher. With
// no Topics configured nothing is confirmed automatically: the link is
// logged for an admin to open, so that nobody can subscribe Bulletin to a
// topic of their own and feed it bounces.
func SES(sink Sink, opts SESOptions) http.Handler {
	if opts.CertHost == nil {
		opts.CertHost = DefaultCertHost
	}
	if opts.Fetch == nil {
		opts.Fetch = HTTPFetcher(nil)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &sesHandler{sink: sink, opts: opts, log: orDefaultLogger(opts.Log)}
	h.certs = &certCache{fetch: opts.Fetch, roots: opts.Roots, now: opts.Now}
	return h
}

func (h *sesHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := readRequest(w, r, h.log, h.opts.MaxBytes)
	if !ok {
		return
	}
	m, err := parseSNS(body)
	if err != nil {
		refuse(w, r, h.log, http.StatusBadRequest, err.Error())
		return
	}
	if len(h.opts.Topics) > 0 && !slices.Contains(h.opts.Topics, m.TopicArn) {
		refuse(w, r, h.log, http.StatusForbidden, "topic not accepted: "+m.TopicArn)
		return
	}
	if err := checkAWSURL(m.SigningCertURL, h.opts.CertHost); err != nil {
		refuse(w, r, h.log, http.StatusForbidden, "SigningCertURL: "+err.Error())
		return
	}
	key, err := h.certs.key(r.Context(), m.SigningCertURL)
	if errors.Is(err, errFetch) {
		h.log.Error("SNS signing certificate not fetched", "url", m.SigningCertURL, "err", err)
		http.Error(w, "signing certificate unavailable, try again later", http.StatusBadGateway)
		return
	} else if err != nil {
		refuse(w, r, h.log, http.StatusForbidden, err.Error())
		return
	}
	if err := m.verify(key); err != nil {
		refuse(w, r, h.log, http.StatusForbidden, err.Error())
		return
	}
	switch m.Type {
	case snsSubscribe:
		h.confirm(w, r, m)
	case snsUnsubscribe:
		h.log.Warn("SNS subscription ended", "topic", m.TopicArn)
		w.WriteHeader(http.StatusOK)
	default:
		evs, err := sesEvents(m)
		if err != nil {
			refuse(w, r, h.log, http.StatusBadRequest, err.Error())
			return
		}
		apply(w, r, h.log, h.sink, evs)
	}
}

// confirm opens the SubscribeURL of a verified confirmation, or logs it
// when topics are not restricted (see SES).
func (h *sesHandler) confirm(w http.ResponseWriter, r *http.Request, m *snsMessage) {
	if err := checkAWSURL(m.SubscribeURL, h.opts.CertHost); err != nil {
		refuse(w, r, h.log, http.StatusForbidden, "SubscribeURL: "+err.Error())
		return
	}
	if len(h.opts.Topics) == 0 {
		h.log.Warn("SNS subscription awaits confirmation: open the link to confirm, and set BULLETIN_WEBHOOK_SES_TOPICS to confirm automatically",
			"topic", m.TopicArn, "url", m.SubscribeURL)
		w.WriteHeader(http.StatusOK)
		return
	}
	if _, err := h.opts.Fetch(r.Context(), m.SubscribeURL); err != nil {
		h.log.Error("SNS subscription not confirmed", "topic", m.TopicArn, "err", err)
		http.Error(w, "subscription not confirmed, try again later", http.StatusBadGateway)
		return
	}
	h.log.Info("SNS subscription confirmed", "topic", m.TopicArn)
	w.WriteHeader(http.StatusOK)
}
