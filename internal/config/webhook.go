package config

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Webhooks configures the provider webhooks; each one is served only when
// configured.
type Webhooks struct {
	// PostmarkSecret guards /webhooks/postmark; "" leaves it off.
	PostmarkSecret string
	// SES serves /webhooks/ses; SESTopics are the accepted SNS topic ARNs,
	// nil for any topic (BULLETIN_WEBHOOK_SES_TOPICS=*), in which case
	// subscriptions are logged for an admin to confirm by hand.
	SES       bool
	SESTopics []string
}

// minWebhookSecret is the shortest Postmark secret accepted: it is all that
// stands between the Internet and failing deliveries.
const minWebhookSecret = 16

var topicARN = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$`)

func parseWebhooks(postmarkSecret, sesTopics string) (Webhooks, error) {
	w := Webhooks{PostmarkSecret: postmarkSecret}
	if s := postmarkSecret; s != "" {
		if len(s) < minWebhookSecret || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return w, fmt.Errorf("BULLETIN_WEBHOOK_POSTMARK_SECRET: must be at least %d characters without spaces", minWebhookSecret)
		}
	}
	switch sesTopics = strings.TrimSpace(sesTopics); sesTopics {
	case "":
	case "*":
		w.SES = true
	default:
		w.SES = true
		for _, t := range strings.Split(sesTopics, ",") {
			t = strings.TrimSpace(t)
			if !topicARN.MatchString(t) {
				return w, fmt.Errorf("BULLETIN_WEBHOOK_SES_TOPICS: %q is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), or use * for any topic", t)
			}
			w.SESTopics = append(w.SESTopics, t)
		}
	}
	return w, nil
}
