package inbound

import (
	"net/mail"
	"regexp"
	"strings"
)

// arf reads an RFC 5965 feedback report. The complained-about recipient is
// often redacted, so what survives in the original's headers identifies
// them: the VERP Return-Path, the List-Unsubscribe token, and only then
// the addresses.
func arf(c *Class, ps []part, a Addresses) bool {
	var report *part
	for i := range ps {
		if ps[i].Type == "message/feedback-report" {
			report = &ps[i]
			break
		}
	}
	if report == nil {
		return false
	}
	c.Kind, c.Reason = KindComplaint, "feedback report"
	var fields map[string][]string
	if blocks := headerBlocks(report.Body); len(blocks) > 0 {
		fields = blocks[0]
	}
	get := func(k string) string {
		if v := fields[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	c.FeedbackType = clean(strings.ToLower(strings.TrimSpace(get("Feedback-Type"))))
	c.ComplainedTo = addressOf(get("Original-Rcpt-To"))
	if t, ok := a.Parse(addressOf(get("Original-Mail-From"))); ok && t.DeliveryID != 0 {
		c.Complained = t
	}
	for _, p := range ps {
		if p.Type != "message/rfc822" && p.Type != "text/rfc822-headers" {
			continue
		}
		h := readHeaders(p.Body)
		if h == nil {
			break
		}
		c.OrigID = clean(strings.TrimSpace(h.Get("Message-Id")))
		if c.Complained.DeliveryID == 0 {
			if t, ok := a.Parse(addressOf(h.Get("Return-Path"))); ok && t.DeliveryID != 0 {
				c.Complained = t
			}
		}
		if c.Complained.DeliveryID == 0 && c.Complained.Token == "" {
			c.Complained.Token = unsubscribeToken(h, a)
		}
		if c.ComplainedTo == "" {
			c.ComplainedTo = addressOf(h.Get("To"))
		}
		break
	}
	return true
}

var unsubscribePath = regexp.MustCompile(`/unsubscribe/([A-Za-z0-9_-]{16,})`)

// unsubscribeToken finds the subscriber's token in an original message's
// List-Unsubscribe: the mailto address, else the https link.
func unsubscribeToken(h mail.Header, a Addresses) string {
	v := h.Get("List-Unsubscribe")
	for _, u := range strings.Split(v, ",") {
		u = strings.Trim(strings.TrimSpace(u), "<>")
		if addr, ok := strings.CutPrefix(strings.ToLower(u), "mailto:"); ok {
			addr, _, _ = strings.Cut(addr, "?")
			if t, ours := a.Parse(addr); ours && t.Token != "" {
				return t.Token
			}
		}
	}
	if m := unsubscribePath.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}
