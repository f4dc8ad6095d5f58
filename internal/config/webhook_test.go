package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestWebhooks(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want Webhooks
	}{
		{"off by default", nil, Webhooks{}},
		{"postmark", map[string]string{"BULLETIN_WEBHOOK_POSTMARK_SECRET": "0123456789abcdefXYZ"}, Webhooks{PostmarkSecret: "0123456789abcdefXYZ"}},
		{"ses, any topic", map[string]string{"BULLETIN_WEBHOOK_SES_TOPICS": "*"}, Webhooks{SES: true}},
		{"ses, two topics", map[string]string{"BULLETIN_WEBHOOK_SES_TOPICS": "arn:aws:sns:eu-west-1:123456789012:bounces, arn:aws-cn:sns:cn-north-1:123456789012:complaints"},
			Webhooks{SES: true, SESTopics: []string{"arn:aws:sns:eu-west-1:123456789012:bounces", "arn:aws-cn:sns:cn-north-1:123456789012:complaints"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Webhooks, tc.want) {
				t.Errorf("webhooks = %+v, want %+v", c.Webhooks, tc.want)
			}
		})
	}
}

func TestWebhooksBadValues(t *testing.T) {
	for _, tc := range []struct{ env, value string }{
		{"BULLETIN_WEBHOOK_POSTMARK_SECRET", "short"},
		{"BULLETIN_WEBHOOK_POSTMARK_SECRET", "a long secret with spaces"},
		{"BULLETIN_WEBHOOK_SES_TOPICS", "bounces"},
		{"BULLETIN_WEBHOOK_SES_TOPICS", "arn:aws:sns:eu-west-1:123:bounces"},
		{"BULLETIN_WEBHOOK_SES_TOPICS", "arn:aws:sqs:eu-west-1:123456789012:bounces"},
		{"BULLETIN_WEBHOOK_SES_TOPICS", "arn:aws:sns:eu-west-1:123456789012:ok,,"},
	} {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			_, err := load(t, map[string]string{tc.env: tc.value})
			if err == nil {
				t.Fatalf("%s=%q accepted", tc.env, tc.value)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tc.env+":") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line starting with %s", msg, tc.env)
			}
		})
	}
}
