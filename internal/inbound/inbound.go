// Package inbound takes every message addressed to Bulletin, stores it,
// classifies it and acts on it: bounces (DSNs and the common plain-text
// ones), spam complaints (ARF), mailto unsubscribes, contributions by
// email, auto-replies and the rest.
//
// The classifier (Classify) is pure. The Processor stores first and acts
// after, through the Store it declares; cmd/bulletin wires the database,
// the contribution parser, the sender verification and the mailer in.
// Messages arrive through the SMTP listener (Listener), IMAP polling
// (Poller) or a provider's webhook (Processor.ApplyEvent).
package inbound

// Kinds of inbound message.
const (
	KindBounce       = "bounce"
	KindComplaint    = "complaint"
	KindUnsubscribe  = "unsubscribe"
	KindContribution = "contribution"
	KindAutoreply    = "autoreply"
	KindUnknown      = "unknown"
)

// Kinds lists every kind, for metrics and the admin filter.
func Kinds() []string {
	return []string{KindBounce, KindComplaint, KindUnsubscribe, KindContribution, KindAutoreply, KindUnknown}
}

// Sources of inbound messages.
const (
	SourceSMTP     = "smtp"
	SourceIMAP     = "imap"
	SourceSES      = "ses"
	SourcePostmark = "postmark"
	SourceDemo     = "demo"
)

// DefaultMaxBytes is BULLETIN_INBOUND_MAX_BYTES's default.
const DefaultMaxBytes = 10 << 20
