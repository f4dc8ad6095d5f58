package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// PostmarkOptions configures the Postmark handler.
type PostmarkOptions struct {
	// Secret authenticates calls: as the password of basic auth in the
	// webhook URL (https://any:SECRET@host/webhooks/postmark), or as the
	// value of Header. Required: without it every call is refused.
	Secret string
	// Header is the custom header Postmark is told to send; default
	// DefaultPostmarkHeader.
	Header   string
	MaxBytes int64 // default DefaultMaxBytes
	Log      *slog.Logger
}

// DefaultPostmarkHeader carries the shared secret unless configured.
const DefaultPostmarkHeader = "X-Bulletin-Webhook-Secret"

// Postmark returns the handler for /webhooks/postmark: Bounce and
// SpamComplaint records.
func Postmark(sink Sink, opts PostmarkOptions) http.Handler {
	if opts.Header == "" {
		opts.Header = DefaultPostmarkHeader
	}
	log := orDefaultLogger(opts.Log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !opts.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="bulletin webhooks"`)
			refuse(w, r, log, http.StatusUnauthorized, "missing or wrong webhook secret")
			return
		}
		body, ok := readRequest(w, r, log, opts.MaxBytes)
		if !ok {
			return
		}
		evs, err := postmarkEvents(body)
		if err != nil {
			refuse(w, r, log, http.StatusBadRequest, err.Error())
			return
		}
		apply(w, r, log, sink, evs)
	})
}

// authorized compares the presented secret in constant time; hashing both
// first keeps the length of the secret from leaking too.
func (o PostmarkOptions) authorized(r *http.Request) bool {
	if o.Secret == "" {
		return false
	}
	got := r.Header.Get(o.Header)
	if _, pass, ok := r.BasicAuth(); ok && got == "" {
		got = pass
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(o.Secret))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

type postmarkRecord struct {
	RecordType  string
	ID          json.Number
	Type        string
	Email       string
	MessageID   string
	Description string
	Details     string
}

// postmarkPermanent are the bounce types after which the address will not
// work again.
var postmarkPermanent = map[string]bool{"HardBounce": true, "BadEmailAddress": true}

// postmarkNotBounces are "bounce" records that report no delivery failure.
var postmarkNotBounces = map[string]bool{
	"AutoResponder": true, "AddressChange": true, "Subscribe": true, "Unsubscribe": true,
	"OpenRelayTest": true, "ChallengeVerification": true,
}

func postmarkEvents(body []byte) ([]Event, error) {
	var rec postmarkRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		return nil, errors.New("not a Postmark webhook record: " + err.Error())
	}
	if rec.RecordType != "Bounce" && rec.RecordType != "SpamComplaint" {
		return nil, nil // Delivery, Open, Click…: nothing to do
	}
	if rec.Email == "" || rec.ID == "" {
		return nil, errors.New("Postmark record without Email or ID")
	}
	ev := Event{Source: "postmark", ID: rec.ID.String(), Recipient: rec.Email, MessageID: rec.MessageID, Status: rec.Type, Raw: body}
	switch {
	case rec.RecordType == "SpamComplaint" || rec.Type == "SpamComplaint":
		ev.Kind = KindComplaint
	case postmarkNotBounces[rec.Type]:
		return nil, nil
	default:
		ev.Kind = KindBounce
		ev.Permanent = postmarkPermanent[rec.Type]
		ev.Diagnostic = strings.TrimSpace(rec.Details)
		if ev.Diagnostic == "" {
			ev.Diagnostic = rec.Description
		}
	}
	return []Event{ev}, nil
}
