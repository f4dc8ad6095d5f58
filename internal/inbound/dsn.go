package inbound

import (
	"net/textproto"
	"regexp"
	"strings"
)

var statusCode = regexp.MustCompile(`\b([245])\.(\d{1,3})\.(\d{1,3})\b`)

// dsn reads an RFC 3464 report: the first recipient block that failed, or
// else the first delayed one. It reports false when there is no
// message/delivery-status part with such a block.
func dsn(c *Class, ps []part) bool {
	var status *part
	for i := range ps {
		if ps[i].Type == "message/delivery-status" || ps[i].Type == "message/global-delivery-status" {
			status = &ps[i]
			break
		}
	}
	if status == nil {
		return false
	}
	blocks := headerBlocks(status.Body)
	var pick textproto.MIMEHeader
	for _, b := range blocks {
		if b.Get("Final-Recipient") == "" && b.Get("Original-Recipient") == "" && b.Get("Action") == "" {
			continue // the per-message block
		}
		action := strings.ToLower(strings.TrimSpace(b.Get("Action")))
		if action == "failed" {
			pick = b
			break
		}
		if action == "delayed" && pick == nil {
			pick = b
		}
	}
	if pick == nil {
		return false
	}
	c.Kind, c.Reason = KindBounce, "delivery status notification"
	c.Action = strings.ToLower(strings.TrimSpace(pick.Get("Action")))
	c.Status = clean(statusCode.FindString(pick.Get("Status")))
	c.Diagnostic = clean(strings.TrimSpace(pick.Get("Diagnostic-Code")))
	c.Recipient = addressOf(pick.Get("Original-Recipient"))
	if c.Recipient == "" {
		c.Recipient = addressOf(pick.Get("Final-Recipient"))
	}
	// A failed action with a 4.x.x status is a message given up on after
	// retries: final for this delivery, but not proof the address is bad.
	c.Permanent = c.Action == "failed" && strings.HasPrefix(c.Status, "5.")
	if c.Action == "failed" && c.Status == "" {
		c.Status = "5.0.0"
		c.Permanent = true
	}
	for _, p := range ps {
		if p.Type == "message/rfc822" || p.Type == "text/rfc822-headers" || p.Type == "message/global" || p.Type == "message/global-headers" {
			if h := readHeaders(p.Body); h != nil {
				c.OrigID = clean(strings.TrimSpace(h.Get("Message-Id")))
			}
			break
		}
	}
	return true
}
