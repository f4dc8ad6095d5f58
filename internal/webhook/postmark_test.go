package webhook

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// Payloads shaped like the examples in Postmark's webhook documentation.
const (
	pmHardBounce = `{"RecordType":"Bounce","MessageStream":"outbound","ID":4323372036854775807,"Type":"HardBounce","TypeCode":1,
"Name":"Hard bounce","Tag":"weekly","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Metadata":{},"ServerID":23,
"Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).",
"Details":"smtp;550 5.1.1 The email account that you tried to reach does not exist.","Email":"gone@example.com",
"From":"news@example.org","BouncedAt":"2026-12-03T09:41:54.9070259Z","DumpAvailable":true,"Inactive":true,"CanActivate":true,
"Subject":"Weekly #42","Content":"<full dump>"}`
	pmSoftBounce = `{"RecordType":"Bounce","ID":42,"Type":"SoftBounce","TypeCode":4096,"MessageID":"m-2",
"Description":"The server could not temporarily deliver your message (ex: Message is delayed due to network troubles).",
"Details":"","Email":"full@example.com","BouncedAt":"2026-12-03T09:41:54Z"}`
	pmComplaint = `{"RecordType":"SpamComplaint","MessageStream":"outbound","ID":43,"Type":"SpamComplaint","TypeCode":512,
"Name":"Spam complaint","Tag":"","MessageID":"m-3","ServerID":23,"Description":"","Details":"Test spam complaint details",
"Email":"angry@example.com","From":"news@example.org","BouncedAt":"2026-12-03T09:41:54Z","Subject":"Weekly #42"}`
	pmAutoResponder = `{"RecordType":"Bounce","ID":44,"Type":"AutoResponder","TypeCode":2,"MessageID":"m-4","Email":"away@example.com"}`
	pmDelivery      = `{"RecordType":"Delivery","MessageID":"m-5","Recipient":"ok@example.com"}`
)

const pmSecret = "correct horse battery staple"

func withHeader(v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(DefaultPostmarkHeader, v) }
}

func withBasic(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

func TestPostmarkEvents(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		auth       func(*http.Request)
		want       []Event
	}{
		{"hard bounce, header", pmHardBounce, withHeader(pmSecret), []Event{{
			Source: "postmark", ID: "4323372036854775807", Kind: KindBounce, Recipient: "gone@example.com",
			MessageID: "883953f4-6105-42a2-a16a-77a8eac79483", Status: "HardBounce", Permanent: true,
			Diagnostic: "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
		}}},
		{"soft bounce, basic auth", pmSoftBounce, withBasic("postmark", pmSecret), []Event{{
			Source: "postmark", ID: "42", Kind: KindBounce, Recipient: "full@example.com", MessageID: "m-2", Status: "SoftBounce",
			Diagnostic: "The server could not temporarily deliver your message (ex: Message is delayed due to network troubles).",
		}}},
		{"spam complaint", pmComplaint, withHeader(pmSecret), []Event{{
			Source: "postmark", ID: "43", Kind: KindComplaint, Recipient: "angry@example.com", MessageID: "m-3", Status: "SpamComplaint",
		}}},
		{"auto-responder is no bounce", pmAutoResponder, withHeader(pmSecret), nil},
		{"delivery is ignored", pmDelivery, withHeader(pmSecret), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &recordingSink{}
			rec := post(t, Postmark(sink, PostmarkOptions{Secret: pmSecret}), []byte(tc.body), tc.auth)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			got := sink.Events()
			for i := range got {
				if string(got[i].Raw) != tc.body {
					t.Errorf("event %d: Raw is not the payload", i)
				}
				got[i].Raw = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("events = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestPostmarkRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, secret, body string
		auth               func(*http.Request)
		code               int
	}{
		{"no credentials", pmSecret, pmHardBounce, nil, http.StatusUnauthorized},
		{"wrong header", pmSecret, pmHardBounce, withHeader("guess"), http.StatusUnauthorized},
		{"secret prefix", pmSecret, pmHardBounce, withHeader(pmSecret[:10]), http.StatusUnauthorized},
		{"wrong basic password", pmSecret, pmHardBounce, withBasic("postmark", "guess"), http.StatusUnauthorized},
		{"wrong header beats right basic auth", pmSecret, pmHardBounce, func(r *http.Request) {
			r.SetBasicAuth("postmark", pmSecret)
			r.Header.Set(DefaultPostmarkHeader, "guess")
		}, http.StatusUnauthorized},
		{"no secret configured", "", pmHardBounce, withHeader(""), http.StatusUnauthorized},
		{"not JSON", pmSecret, "RecordType=Bounce", withHeader(pmSecret), http.StatusBadRequest},
		{"bounce without Email", pmSecret, `{"RecordType":"Bounce","ID":1,"Type":"HardBounce"}`, withHeader(pmSecret), http.StatusBadRequest},
		{"too large", pmSecret, `{"RecordType":"Bounce","Details":"` + strings.Repeat("x", DefaultMaxBytes) + `"}`, withHeader(pmSecret), http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &recordingSink{}
			rec := post(t, Postmark(sink, PostmarkOptions{Secret: tc.secret}), []byte(tc.body), tc.auth)
			if rec.Code != tc.code {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if evs := sink.Events(); len(evs) != 0 {
				t.Errorf("sink called: %+v", evs)
			}
		})
	}
}

func TestPostmarkCustomHeader(t *testing.T) {
	sink := &recordingSink{}
	h := Postmark(sink, PostmarkOptions{Secret: pmSecret, Header: "X-Hook-Token"})
	if rec := post(t, h, []byte(pmComplaint), withHeader(pmSecret)); rec.Code != http.StatusUnauthorized {
		t.Errorf("default header accepted: %d", rec.Code)
	}
	if rec := post(t, h, []byte(pmComplaint), func(r *http.Request) { r.Header.Set("X-Hook-Token", pmSecret) }); rec.Code != http.StatusOK || len(sink.Events()) != 1 {
		t.Errorf("custom header: %d, %d events", rec.Code, len(sink.Events()))
	}
}
