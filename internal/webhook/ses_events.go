package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// sesNotification is the part of an SES notification (the SNS Message) we
// read. SES "notifications" say notificationType, "event publishing" says
// eventType; both carry the same bounce and complaint objects.
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
	} `json:"complaint"`
	Mail struct {
		MessageID     string `json:"messageId"`
		CommonHeaders struct {
			MessageID string `json:"messageId"`
		} `json:"commonHeaders"`
	} `json:"mail"`
}

// sesEvents turns a verified notification into one Event per recipient.
// Other SES notification types (Delivery, Send, Open…) give no events.
func sesEvents(m *snsMessage) ([]Event, error) {
	var n sesNotification
	if err := json.Unmarshal([]byte(m.Message), &n); err != nil {
		return nil, fmt.Errorf("SNS Message is not an SES notification: %v", err)
	}
	kind := n.NotificationType
	if kind == "" {
		kind = n.EventType
	}
	msgID := n.Mail.CommonHeaders.MessageID
	if msgID == "" {
		msgID = n.Mail.MessageID
	}
	base := Event{Source: "ses", MessageID: msgID, Raw: []byte(m.Message)}
	var evs []Event
	switch kind {
	case "Bounce":
		if n.Bounce == nil || len(n.Bounce.BouncedRecipients) == 0 {
			return nil, errors.New("SES bounce without bounced recipients")
		}
		for _, r := range n.Bounce.BouncedRecipients {
			ev := base
			ev.Kind, ev.Recipient = KindBounce, r.EmailAddress
			ev.Status, ev.Diagnostic = r.Status, r.DiagnosticCode
			if ev.Status == "" {
				ev.Status = strings.TrimSpace(n.Bounce.BounceType + " " + n.Bounce.BounceSubType)
			}
			ev.Permanent = n.Bounce.BounceType == "Permanent"
			evs = append(evs, ev)
		}
	case "Complaint":
		if n.Complaint == nil || len(n.Complaint.ComplainedRecipients) == 0 {
			return nil, errors.New("SES complaint without complained recipients")
		}
		for _, r := range n.Complaint.ComplainedRecipients {
			ev := base
			ev.Kind, ev.Recipient = KindComplaint, r.EmailAddress
			ev.Status = n.Complaint.ComplaintFeedbackType
			evs = append(evs, ev)
		}
	default:
		return nil, nil
	}
	for i := range evs {
		if evs[i].Recipient == "" {
			return nil, errors.New("SES notification names a recipient without an address")
		}
		evs[i].ID = m.MessageId + "/" + strings.ToLower(evs[i].Recipient)
	}
	return evs, nil
}
