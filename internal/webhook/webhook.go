// Package webhook receives bounce and complaint notifications from email
// providers (Amazon SES through SNS, Postmark), authenticates them and hands
// one Event per affected recipient to a Sink. It knows nothing about the
// database: main wires a Sink that stores and applies the events.
//
// A call that fails authentication or cannot be parsed gets a 4xx answer
// and the Sink is never called. A Sink error gets a 500, so the provider
// retries; Sinks must therefore be idempotent, keyed on Event.ID.
package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// Event kinds.
const (
	KindBounce    = "bounce"
	KindComplaint = "complaint"
)

// Event is one bounce or complaint for one recipient.
type Event struct {
	Source     string // "ses" or "postmark"
	ID         string // unique per event and stable across redeliveries
	Kind       string // KindBounce or KindComplaint
	Recipient  string // the address that bounced or complained
	MessageID  string // the original message's Message-ID header when known, else the provider's id
	Status     string // bounces: enhanced status ("5.1.1") or the provider's bounce type; complaints: feedback type
	Diagnostic string // the remote server's words, when given
	Permanent  bool   // bounces only: the address will not work again
	Raw        []byte // the provider's payload, for the record
}

// Sink applies events: marks deliveries failed, unsubscribes complainers.
type Sink interface {
	Apply(ctx context.Context, ev Event) error
}

// DefaultMaxBytes caps a request body unless the options say otherwise.
// Real notifications are a few KiB; SES includes at most the headers.
const DefaultMaxBytes = 256 << 10

// errTooLarge is returned by readBody for a body over the cap.
var errTooLarge = errors.New("request body too large")

// readBody reads at most max bytes of r's body.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errTooLarge
	}
	return body, err
}

// refuse answers a rejected call with a one-line reason and logs it at
// warn: a stream of these is somebody probing the endpoint.
func refuse(w http.ResponseWriter, r *http.Request, log *slog.Logger, code int, reason string) {
	log.Warn("webhook refused", "path", r.URL.Path, "status", code, "reason", reason, "remote", r.RemoteAddr)
	http.Error(w, reason, code)
}

// apply hands evs to sink in order and answers 200, or 500 on the first
// error so that the provider delivers the whole notification again.
func apply(w http.ResponseWriter, r *http.Request, log *slog.Logger, sink Sink, evs []Event) {
	for _, ev := range evs {
		if err := sink.Apply(r.Context(), ev); err != nil {
			log.Error("webhook event not applied", "source", ev.Source, "id", ev.ID, "err", err)
			http.Error(w, "event not applied, try again later", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func orDefaultLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// readRequest checks the method and reads the capped body, answering the
// call itself when either fails.
func readRequest(w http.ResponseWriter, r *http.Request, log *slog.Logger, max int64) ([]byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		refuse(w, r, log, http.StatusMethodNotAllowed, "only POST is accepted")
		return nil, false
	}
	if max <= 0 {
		max = DefaultMaxBytes
	}
	body, err := readBody(w, r, max)
	switch {
	case errors.Is(err, errTooLarge):
		refuse(w, r, log, http.StatusRequestEntityTooLarge, "request body too large")
		return nil, false
	case err != nil:
		refuse(w, r, log, http.StatusBadRequest, "could not read the request body")
		return nil, false
	}
	return body, true
}
