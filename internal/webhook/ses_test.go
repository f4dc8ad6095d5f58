package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Payloads shaped like the examples in Amazon SES's documentation.
const (
	sesPermanentBounce = `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
"bouncedRecipients":[{"emailAddress":"gone@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"},
{"emailAddress":"Also.Gone@example.net","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 no such mailbox"}],
"timestamp":"2026-12-03T09:41:29.000Z","feedbackId":"0100018c-aaaa","reportingMTA":"dsn; a8-70.smtp-out.amazonses.com"},
"mail":{"timestamp":"2026-12-03T09:41:26.000Z","source":"news@example.org","messageId":"0100018c-ses-id",
"destination":["gone@example.com","Also.Gone@example.net"],"headersTruncated":false,
"headers":[{"name":"Message-ID","value":"<d17.42@example.org>"}],
"commonHeaders":{"from":["news@example.org"],"messageId":"<d17.42@example.org>","subject":"Weekly #42"}}}`
	sesTransientBounce = `{"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull",
"bouncedRecipients":[{"emailAddress":"full@example.com"}],"timestamp":"2026-12-03T09:41:29.000Z","feedbackId":"0100018c-bbbb"},
"mail":{"messageId":"0100018c-ses-id2","source":"news@example.org","destination":["full@example.com"]}}`
	sesComplaint = `{"notificationType":"Complaint","complaint":{"userAgent":"ExampleCorp Feedback Loop (V0.01)",
"complainedRecipients":[{"emailAddress":"angry@example.com"}],"complaintFeedbackType":"abuse",
"arrivalDate":"2026-12-03T09:40:00.000Z","timestamp":"2026-12-03T09:41:29.000Z","feedbackId":"0100018c-cccc"},
"mail":{"messageId":"0100018c-ses-id3","commonHeaders":{"messageId":"<d18.42@example.org>"}}}`
	sesDelivery = `{"notificationType":"Delivery","delivery":{"recipients":["ok@example.com"]},"mail":{"messageId":"x"}}`
)

type sesFixture struct {
	pki   *testPKI
	fetch *fakeFetcher
	sink  *recordingSink
	h     http.Handler
}

func newSES(t *testing.T, mod func(*SESOptions)) *sesFixture {
	t.Helper()
	f := &sesFixture{pki: newPKI(t), sink: &recordingSink{}}
	f.fetch = &fakeFetcher{bodies: map[string][]byte{certURL: f.pki.certPEM}}
	opts := SESOptions{Fetch: f.fetch.Fetch, Topics: []string{topicARN}, Roots: f.pki.roots}
	if mod != nil {
		mod(&opts)
	}
	f.h = SES(f.sink, opts)
	return f
}

func TestSESBounceAndComplaint(t *testing.T) {
	subject := "Amazon SES Email Event Notification"
	for _, tc := range []struct {
		name, message, version string
		subject                *string
		want                   []Event
	}{
		{"permanent, SHA1", sesPermanentBounce, "1", nil, []Event{
			{Kind: KindBounce, Recipient: "gone@example.com", MessageID: "<d17.42@example.org>", Status: "5.1.1", Diagnostic: "smtp; 550 5.1.1 user unknown", Permanent: true},
			{Kind: KindBounce, Recipient: "Also.Gone@example.net", MessageID: "<d17.42@example.org>", Status: "5.1.1", Diagnostic: "smtp; 550 no such mailbox", Permanent: true},
		}},
		{"transient, SHA256, with subject", sesTransientBounce, "2", &subject, []Event{
			{Kind: KindBounce, Recipient: "full@example.com", MessageID: "0100018c-ses-id2", Status: "Transient MailboxFull"},
		}},
		{"complaint", sesComplaint, "2", nil, []Event{
			{Kind: KindComplaint, Recipient: "angry@example.com", MessageID: "<d18.42@example.org>", Status: "abuse"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSES(t, nil)
			m := notification(tc.message, tc.subject)
			signSNS(t, m, f.pki.key, tc.version)
			if rec := post(t, f.h, mustJSON(t, m), nil); rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			got := f.sink.Events()
			if len(got) != len(tc.want) {
				t.Fatalf("got %d events, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Source != "ses" || g.ID != m.MessageId+"/"+strings.ToLower(w.Recipient) || string(g.Raw) != tc.message {
					t.Errorf("event %d: source %q id %q raw %d bytes", i, g.Source, g.ID, len(g.Raw))
				}
				g.Source, g.ID, g.Raw = "", "", nil
				if !reflect.DeepEqual(g, w) {
					t.Errorf("event %d = %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

// Every refused call gets a 4xx and never reaches the Sink.
func TestSESRefusals(t *testing.T) {
	other := newKey(t)
	for _, tc := range []struct {
		name string
		mod  func(*SESOptions)
		make func(t *testing.T, f *sesFixture) []byte
		code int
	}{
		{"tampered message", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			signSNS(t, m, f.pki.key, "2")
			m.Message = strings.Replace(m.Message, "gone@example.com", "victim@example.com", 1)
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"subject added after signing", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			signSNS(t, m, f.pki.key, "1")
			s := "x"
			m.Subject = &s
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"signed by another key", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			signSNS(t, m, other, "2")
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"certificate over http", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			m.SigningCertURL = strings.Replace(certURL, "https:", "http:", 1)
			f.fetch.bodies[m.SigningCertURL] = f.pki.certPEM
			signSNS(t, m, f.pki.key, "2")
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"certificate on a foreign host", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			m.SigningCertURL = "https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem"
			f.fetch.bodies[m.SigningCertURL] = f.pki.certPEM
			signSNS(t, m, f.pki.key, "2")
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"certificate URL with user info", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			m.SigningCertURL = "https://evil.example@sns.eu-west-1.amazonaws.com/cert.pem"
			signSNS(t, m, f.pki.key, "2")
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"topic not allowed", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			m.TopicArn = "arn:aws:sns:eu-west-1:999999999999:someone-else"
			signSNS(t, m, f.pki.key, "2")
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"unknown signature version", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			signSNS(t, m, f.pki.key, "2")
			m.SignatureVersion = "3"
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"certificate from another CA", func(o *SESOptions) { o.Roots = newPKI(t).roots }, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			signSNS(t, m, f.pki.key, "2")
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"expired certificate", func(o *SESOptions) { o.Now = func() time.Time { return time.Now().Add(48 * time.Hour) } }, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			signSNS(t, m, f.pki.key, "2")
			return mustJSON(t, m)
		}, http.StatusForbidden},
		{"not JSON", nil, func(*testing.T, *sesFixture) []byte { return []byte("Type=Notification") }, http.StatusBadRequest},
		{"no signature", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			m.SigningCertURL = certURL
			return mustJSON(t, m)
		}, http.StatusBadRequest},
		{"signed but Message is not SES JSON", nil, func(t *testing.T, f *sesFixture) []byte {
			m := notification("hello", nil)
			signSNS(t, m, f.pki.key, "2")
			return mustJSON(t, m)
		}, http.StatusBadRequest},
		{"too large", func(o *SESOptions) { o.MaxBytes = 1000 }, func(t *testing.T, f *sesFixture) []byte {
			m := notification(sesPermanentBounce, nil)
			signSNS(t, m, f.pki.key, "2")
			return mustJSON(t, m)
		}, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSES(t, tc.mod)
			rec := post(t, f.h, tc.make(t, f), nil)
			if rec.Code != tc.code {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if strings.TrimSpace(rec.Body.String()) == "" {
				t.Error("refusal without a reason")
			}
			if evs := f.sink.Events(); len(evs) != 0 {
				t.Errorf("sink called: %+v", evs)
			}
			for _, u := range f.fetch.Calls() {
				if u != certURL {
					t.Errorf("fetched %q", u)
				}
			}
		})
	}
}

func TestSESMethodNotAllowed(t *testing.T) {
	f := newSES(t, nil)
	rec := post(t, f.h, nil, func(r *http.Request) { r.Method = http.MethodGet })
	if rec.Code != http.StatusMethodNotAllowed || len(f.sink.Events()) != 0 {
		t.Errorf("GET: status %d, %d events", rec.Code, len(f.sink.Events()))
	}
}

// The certificate is fetched once and then served from the cache.
func TestSESCertificateCached(t *testing.T) {
	f := newSES(t, nil)
	for i := 0; i < 3; i++ {
		m := notification(sesComplaint, nil)
		m.MessageId += string(rune('a' + i))
		signSNS(t, m, f.pki.key, "2")
		if rec := post(t, f.h, mustJSON(t, m), nil); rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	if calls := f.fetch.Calls(); len(calls) != 1 || len(f.sink.Events()) != 3 {
		t.Errorf("fetches %v, events %d", calls, len(f.sink.Events()))
	}
}

// A certificate that cannot be fetched, or a failing Sink, asks SNS to
// retry with a 5xx.
func TestSESTemporaryFailures(t *testing.T) {
	f := newSES(t, nil)
	delete(f.fetch.bodies, certURL)
	m := notification(sesComplaint, nil)
	signSNS(t, m, f.pki.key, "2")
	if rec := post(t, f.h, mustJSON(t, m), nil); rec.Code != http.StatusBadGateway || len(f.sink.Events()) != 0 {
		t.Errorf("no certificate: status %d, events %d", rec.Code, len(f.sink.Events()))
	}
	f = newSES(t, nil)
	f.sink.Err = errors.New("database down")
	signSNS(t, m, f.pki.key, "2")
	if rec := post(t, f.h, mustJSON(t, m), nil); rec.Code != http.StatusInternalServerError {
		t.Errorf("sink error: status %d", rec.Code)
	}
}

func TestSESOtherNotificationsIgnored(t *testing.T) {
	f := newSES(t, nil)
	m := notification(sesDelivery, nil)
	signSNS(t, m, f.pki.key, "1")
	if rec := post(t, f.h, mustJSON(t, m), nil); rec.Code != http.StatusOK || len(f.sink.Events()) != 0 {
		t.Errorf("delivery notification: status %d, events %d", rec.Code, len(f.sink.Events()))
	}
}

func subscription(url string) *snsMessage {
	return &snsMessage{
		Type: "SubscriptionConfirmation", MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b", Token: "2336412f37fb687f5d51e6e2425c464de",
		TopicArn: topicARN, Timestamp: "2026-12-03T09:00:00.000Z", SubscribeURL: url,
		Message: "You have chosen to subscribe to the topic " + topicARN + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
	}
}

func TestSESSubscriptionConfirmation(t *testing.T) {
	subURL := "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + topicARN + "&Token=2336412f"
	t.Run("allowed topic is confirmed", func(t *testing.T) {
		f := newSES(t, nil)
		f.fetch.bodies[subURL] = []byte("<ConfirmSubscriptionResponse/>")
		m := subscription(subURL)
		signSNS(t, m, f.pki.key, "1")
		rec := post(t, f.h, mustJSON(t, m), nil)
		if calls := f.fetch.Calls(); rec.Code != http.StatusOK || len(calls) != 2 || calls[1] != subURL {
			t.Errorf("status %d, fetches %v", rec.Code, calls)
		}
	})
	t.Run("without a topic list only logged", func(t *testing.T) {
		f := newSES(t, func(o *SESOptions) { o.Topics = nil })
		m := subscription(subURL)
		signSNS(t, m, f.pki.key, "2")
		rec := post(t, f.h, mustJSON(t, m), nil)
		if calls := f.fetch.Calls(); rec.Code != http.StatusOK || len(calls) != 1 {
			t.Errorf("status %d, fetches %v", rec.Code, calls)
		}
	})
	t.Run("foreign SubscribeURL refused", func(t *testing.T) {
		f := newSES(t, nil)
		m := subscription("https://evil.example/confirm")
		signSNS(t, m, f.pki.key, "2")
		rec := post(t, f.h, mustJSON(t, m), nil)
		if calls := f.fetch.Calls(); rec.Code != http.StatusForbidden || len(calls) != 1 {
			t.Errorf("status %d, fetches %v", rec.Code, calls)
		}
	})
	t.Run("forged confirmation not fetched", func(t *testing.T) {
		f := newSES(t, nil)
		m := subscription(subURL)
		signSNS(t, m, f.pki.key, "2")
		m.Token = "other"
		rec := post(t, f.h, mustJSON(t, m), nil)
		if calls := f.fetch.Calls(); rec.Code != http.StatusForbidden || len(calls) != 1 {
			t.Errorf("status %d, fetches %v", rec.Code, calls)
		}
	})
}

func TestDefaultCertHost(t *testing.T) {
	for host, want := range map[string]bool{
		"sns.us-east-1.amazonaws.com": true, "sns.cn-north-1.amazonaws.com.cn": true, "sns.us-gov-west-1.amazonaws.com": true,
		"sns.us-east-1.amazonaws.com.evil.example": false, "evilsns.us-east-1.amazonaws.com": false, "sns.amazonaws.com": false,
		"s3.us-east-1.amazonaws.com": false, "sns.us-east-1.amazonaws.com:444": false,
	} {
		if got := DefaultCertHost.MatchString(host); got != want {
			t.Errorf("%s: %v, want %v", host, got, want)
		}
	}
	if err := checkAWSURL("https://sns.us-east-1.amazonaws.com:8443/c.pem", regexp.MustCompile(`.*`)); err == nil {
		t.Error("explicit port accepted")
	}
}

// Concurrent notifications share the certificate cache safely (run with
// -race); at most one fetch per caller that missed the cache.
func TestSESConcurrent(t *testing.T) {
	f := newSES(t, nil)
	const workers, each = 8, 5
	bodies := make([][]byte, workers*each)
	for i := range bodies {
		m := notification(sesComplaint, nil)
		m.MessageId = fmt.Sprintf("msg-%d", i)
		signSNS(t, m, f.pki.key, "2")
		bodies[i] = mustJSON(t, m)
	}
	var wg sync.WaitGroup
	codes := make([]int, len(bodies))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w * each; i < (w+1)*each; i++ {
				codes[i] = post(t, f.h, bodies[i], nil).Code
			}
		}(w)
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("notification %d: status %d", i, c)
		}
	}
	if n, calls := len(f.sink.Events()), len(f.fetch.Calls()); n != workers*each || calls < 1 || calls > workers {
		t.Errorf("%d events, %d fetches", n, calls)
	}
}
