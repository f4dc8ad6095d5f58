package inbound

import (
	"net/mail"
	"regexp"
	"strings"
)

var (
	bounceSubject = regexp.MustCompile(`(?i)(undeliver|delivery (status notification|failure|has failed|problem)|failure notice|returned mail|mail delivery (failed|system)|could not be delivered|non.?delivery|delivery notification)`)
	delaySubject  = regexp.MustCompile(`(?i)(delayed|delay|warning|will retry|still trying)`)
	smtpReply     = regexp.MustCompile(`\b([45])\d\d[ -]`)
	permanentText = regexp.MustCompile(`(?i)(user unknown|unknown user|no such (user|mailbox|recipient)|does not exist|mailbox (unavailable|not found|disabled)|recipient (address )?rejected|invalid (recipient|mailbox|address)|address rejected|account (has been )?disabled|not our customer)`)
	addrInText    = regexp.MustCompile(`<?([A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?`)
)

// plainBounce recognises the common non-RFC 3464 bounces (Exchange, older
// qmail, gateways): sent with an empty return path or by a mailer daemon,
// with a bounce's subject, or to a bounce address. The status and the
// address come from the text; a VERP address says whose it is anyway.
func plainBounce(c *Class, env Envelope, h mail.Header, typ string, params map[string]string, body []byte) bool {
	from := strings.ToLower(c.From)
	daemon := env.MailFrom == "" || strings.HasPrefix(from, "mailer-daemon@") || strings.HasPrefix(from, "postmaster@")
	toBounce := c.Ours && c.Target.Kind == KindBounce
	if !daemon || !(toBounce || bounceSubject.MatchString(c.Subject)) {
		return false
	}
	text := bodyText(typ, params, body)
	if !bounceSubject.MatchString(c.Subject) && statusCode.FindString(text) == "" && !permanentText.MatchString(text) {
		return false // to a bounce address, but nothing in it says what failed
	}
	c.Kind, c.Reason = KindBounce, "plain-text bounce"
	c.Action = "failed"
	if delaySubject.MatchString(c.Subject) {
		c.Action = "delayed"
	}
	c.Status = statusCode.FindString(text)
	if c.Status == "" {
		if m := smtpReply.FindStringSubmatch(text); m != nil {
			c.Status = m[1] + ".0.0"
		} else if permanentText.MatchString(text) {
			c.Status = "5.0.0"
		}
	}
	if c.Status == "" && c.Action == "failed" {
		c.Status = "5.0.0" // a failure notice without a code: treated as final, not as a bad address
	}
	c.Permanent = c.Action == "failed" && strings.HasPrefix(c.Status, "5.") && (c.Status != "5.0.0" || permanentText.MatchString(text))
	if m := permanentText.FindStringIndex(text); m != nil {
		c.Diagnostic = clean(strings.TrimSpace(lineAround(text, m[0])))
	} else if loc := statusCode.FindStringIndex(text); loc != nil {
		c.Diagnostic = clean(strings.TrimSpace(lineAround(text, loc[0])))
	}
	for _, m := range addrInText.FindAllStringSubmatch(text, 20) {
		if !strings.EqualFold(m[1], env.RcptTo) && !strings.HasPrefix(strings.ToLower(m[1]), "mailer-daemon@") && !strings.HasPrefix(strings.ToLower(m[1]), "postmaster@") {
			c.Recipient = clean(m[1])
			break
		}
	}
	return true
}

// bodyText is the first text part of a message, or its body.
func bodyText(typ string, params map[string]string, body []byte) string {
	if strings.HasPrefix(typ, "multipart/") {
		for _, p := range parts(body, params["boundary"]) {
			if strings.HasPrefix(p.Type, "text/") {
				return clean(string(p.Body))
			}
		}
	}
	return clean(string(body))
}

func lineAround(text string, i int) string {
	start := strings.LastIndexByte(text[:i], '\n') + 1
	end := strings.IndexByte(text[i:], '\n')
	if end < 0 {
		end = len(text) - i
	}
	line := text[start : i+end]
	if len(line) > 500 {
		line = line[:500]
	}
	return line
}
