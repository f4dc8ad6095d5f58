package inbound

import (
	"bytes"
	"io"
	"net/mail"
	"strings"
)

// Envelope is what the SMTP transaction (or the mailbox) says about a
// message, apart from the message itself.
type Envelope struct {
	MailFrom string // "" for a bounce (MAIL FROM:<>)
	RcptTo   string // the one recipient this copy is for
}

// Class is what the classifier makes of a message.
type Class struct {
	Kind      string
	Reason    string // why: the test that decided, or what was wrong
	MessageID string
	From      string // the From header's address
	Subject   string
	Auto      bool   // auto-submitted in any of the usual ways: never answer it
	Target    Target // what the envelope recipient names
	Ours      bool   // the envelope recipient is at the inbound domain

	// Bounces: one failed or delayed recipient.
	Action     string // failed, delayed
	Status     string // 5.1.1
	Diagnostic string
	Recipient  string // Original-Recipient, else Final-Recipient, else found in the text
	Permanent  bool
	OrigID     string // Message-ID of the message that bounced, if it came back

	// Complaints: who complained about what.
	FeedbackType string
	Complained   Target // VERP address or unsubscribe token found in the original
	ComplainedTo string // Original-Rcpt-To or the original's To, often redacted
}

// Classify decides what a message is. It never fails: a message it cannot
// read is KindUnknown with the reason. DSNs and ARF reports are tested
// before auto-replies, since real DSNs carry Auto-Submitted too.
func Classify(env Envelope, raw []byte, a Addresses) Class {
	c := Class{Kind: KindUnknown}
	c.Target, c.Ours = a.Parse(env.RcptTo)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		c.Reason = "unreadable header: " + clean(err.Error())
		return c
	}
	h := msg.Header
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		c.Reason = "unreadable body"
		return c
	}
	c.MessageID = clean(strings.TrimSpace(h.Get("Message-Id")))
	c.From = addressOf(h.Get("From"))
	c.Subject = decodeHeader(h.Get("Subject"))
	c.Auto = autoSubmitted(h, c.Subject)
	typ, params := mediaType(h.Get("Content-Type"))
	body = decodeTransfer(h.Get("Content-Transfer-Encoding"), body)

	if typ == "multipart/report" {
		ps := parts(body, params["boundary"])
		switch strings.ToLower(params["report-type"]) {
		case "delivery-status":
			if dsn(&c, ps) {
				return c
			}
		case "feedback-report":
			if arf(&c, ps, a) {
				return c
			}
		default: // a missing report-type: go by the parts
			if dsn(&c, ps) || arf(&c, ps, a) {
				return c
			}
		}
	}
	if plainBounce(&c, env, h, typ, params, body) {
		return c
	}
	if c.Ours && c.Target.Kind == KindUnsubscribe && c.Target.Token != "" {
		c.Kind, c.Reason = KindUnsubscribe, "mail to the unsubscribe address"
		return c
	}
	if c.Auto {
		c.Kind, c.Reason = KindAutoreply, "marked as automatic"
		return c
	}
	if c.Ours && c.Target.Kind == KindContribution {
		if a.Domain != "" && (domainIs(c.From, a.Domain) || domainIs(env.MailFrom, a.Domain)) {
			c.Reason = "from our own inbound domain: a loop"
			return c
		}
		c.Kind, c.Reason = KindContribution, "mail to a contribution address"
		return c
	}
	switch {
	case !c.Ours:
		c.Reason = "recipient is not at the inbound domain"
	case c.Target.BadTag:
		c.Reason = "bounce address with a wrong tag"
	default:
		c.Reason = "nothing recognised"
	}
	return c
}

func domainIs(addr, domain string) bool {
	at := strings.LastIndexByte(addr, '@')
	return at >= 0 && strings.EqualFold(addr[at+1:], domain)
}
