package inbound_test

import (
	"strings"
	"testing"

	"bulletin/internal/inbound"
)

func addrs() inbound.Addresses {
	return inbound.Addresses{Domain: domain, Secret: []byte("0123456789abcdef0123456789abcdef")}
}

// Addresses sent before the issue was carried (bounces+{delivery}-{tag},
// the tag an HMAC of "verp:{delivery}") still name their delivery, with
// no issue: this one was made by that code with the secret of addrs().
func TestBounceAddressOfTheFirstFormat(t *testing.T) {
	a := addrs()
	old := "bounces+12345-02c4782f0d@" + domain
	for _, v := range []string{old, toUpper(old)} {
		got, ours := a.Parse(v)
		if !ours || got.Kind != inbound.KindBounce || got.DeliveryID != 12345 || got.IssueID != 0 || got.BadTag {
			t.Errorf("Parse(%q) = %+v, %v", v, got, ours)
		}
	}
	if got, _ := a.Parse("bounces+12346-02c4782f0d@" + domain); !got.BadTag {
		t.Errorf("the first format's tag accepted for another delivery: %+v", got)
	}
}

func TestAddressesRoundTrip(t *testing.T) {
	a := addrs()
	b := a.Bounce(31, 12345)
	if !strings.HasPrefix(b, "bounces+31-12345-") {
		t.Errorf("bounce address %q does not name issue 31 and delivery 12345", b)
	}
	for _, v := range []string{b, toUpper(b)} {
		got, ours := a.Parse(v)
		if !ours || got.Kind != inbound.KindBounce || got.DeliveryID != 12345 || got.IssueID != 31 || got.BadTag {
			t.Errorf("Parse(%q) = %+v, %v", v, got, ours)
		}
	}
	tag := b[len("bounces+31-12345-"):strings.IndexByte(b, '@')]
	for _, wrong := range []string{
		"bounces+12345-0000000000@" + domain,
		"bounces+31-12345-0000000000@" + domain,
		"bounces+32-12345-" + tag + "@" + domain, // another issue under the same tag
		"bounces+31-12346-" + tag + "@" + domain, // another delivery under the same tag
		"bounces+12345-" + tag + "@" + domain,    // the issue dropped
		"bounces+031-12345-" + tag + "@" + domain,
		"bounces+-31-12345-" + tag + "@" + domain,
		"bounces+31-12345@" + domain,
		"bounces+@" + domain,
	} {
		if got, _ := a.Parse(wrong); !got.BadTag || got.DeliveryID != 0 || got.IssueID != 0 {
			t.Errorf("Parse(%q) accepted: %+v", wrong, got)
		}
	}
	other := inbound.Addresses{Domain: domain, Secret: []byte("another secret of thirty-two bytes!")}
	if got, _ := a.Parse(other.Bounce(31, 12345)); !got.BadTag {
		t.Errorf("tag made with another secret accepted: %+v", got)
	}
	for _, tok := range []string{"AbC-_d0123456789xyzXYZ", "not base64 token!"} {
		u := a.Unsubscribe(tok)
		if u != toLower(u) {
			t.Errorf("unsubscribe address %q is not lower case", u)
		}
		if got, _ := a.Parse(toUpper(u)); got.Kind != inbound.KindUnsubscribe || got.Token != tok {
			t.Errorf("token %q: Parse(upper(%q)) = %+v", tok, u, got)
		}
	}
	if got, _ := a.Parse("contribute+Weekly@" + domain); got.Kind != inbound.KindContribution || got.Slug != "weekly" {
		t.Errorf("contribute+slug: %+v", got)
	}
	if _, ours := a.Parse("bounces+1-abc@elsewhere.test"); ours {
		t.Error("an address at another domain counted as ours")
	}
}

func TestClassify(t *testing.T) {
	a := addrs()
	verp := a.Bounce(7, 42)
	unsub := a.Unsubscribe("AbC-_d0123456789xyzXYZ")
	cases := []struct {
		name string
		env  inbound.Envelope
		raw  []byte
		want inbound.Class
	}{
		{"dsn failed", inbound.Envelope{RcptTo: verp}, dsnMessage(verp, "gone@example.com", "failed", "5.1.1", "smtp; 550 5.1.1 <gone@example.com>: User unknown", "<m1@example.org>"),
			inbound.Class{Kind: inbound.KindBounce, Action: "failed", Status: "5.1.1", Permanent: true, Recipient: "gone@example.com", OrigID: "<m1@example.org>"}},
		{"dsn delayed", inbound.Envelope{RcptTo: verp}, dsnMessage(verp, "slow@example.com", "delayed", "4.4.1", "X-Postfix; connect timed out", "<m2@example.org>"),
			inbound.Class{Kind: inbound.KindBounce, Action: "delayed", Status: "4.4.1", Recipient: "slow@example.com", OrigID: "<m2@example.org>"}},
		{"dsn failed after retries is not a bad address", inbound.Envelope{RcptTo: verp}, dsnMessage(verp, "full@example.com", "failed", "4.2.2", "smtp; 452 4.2.2 mailbox full", "<m3@example.org>"),
			inbound.Class{Kind: inbound.KindBounce, Action: "failed", Status: "4.2.2", Recipient: "full@example.com", OrigID: "<m3@example.org>"}},
		{"arf", inbound.Envelope{RcptTo: "fbl@" + domain}, arfMessage("fbl@"+domain, verp, "<https://x/unsubscribe/tok>", "redacted"),
			inbound.Class{Kind: inbound.KindComplaint, FeedbackType: "abuse", OrigID: "<orig@example.org>"}},
		{"plain bounce", inbound.Envelope{RcptTo: verp}, qmailBounce(verp, "gone@example.com"),
			inbound.Class{Kind: inbound.KindBounce, Action: "failed", Status: "5.1.1", Permanent: true, Recipient: "gone@example.com"}},
		{"exchange ndr", inbound.Envelope{RcptTo: verp}, crlf("From: Microsoft Outlook <postmaster@corp.example>\nTo: " + verp + "\nSubject: Undeliverable: Weekly update\nContent-Type: text/plain\n\nDelivery has failed to these recipients or groups:\n\nold.name@corp.example\nThe email address you entered couldn't be found.\n\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n"),
			inbound.Class{Kind: inbound.KindBounce, Action: "failed", Status: "5.1.10", Permanent: true, Recipient: "old.name@corp.example"}},
		{"null-sender vacation to the bounce address", inbound.Envelope{RcptTo: verp}, crlf("From: ann@example.com\nTo: " + verp + "\nSubject: Out of office\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n"),
			inbound.Class{Kind: inbound.KindAutoreply}},
		{"mailto unsubscribe", inbound.Envelope{MailFrom: "reader@example.com", RcptTo: unsub}, plainMessage("reader@example.com", unsub, "unsubscribe", "", ""),
			inbound.Class{Kind: inbound.KindUnsubscribe}},
		{"contribution", inbound.Envelope{MailFrom: "ann@example.com", RcptTo: "contribute@" + domain}, plainMessage("Ann <ann@example.com>", "contribute@"+domain, "Re: A new library", "", "Have a look."),
			inbound.Class{Kind: inbound.KindContribution}},
		{"vacation to contribute", inbound.Envelope{MailFrom: "ann@example.com", RcptTo: "contribute@" + domain}, plainMessage("ann@example.com", "contribute@"+domain, "Away", "X-Autoreply: yes\n", "I am away."),
			inbound.Class{Kind: inbound.KindAutoreply}},
		{"auto-submitted", inbound.Envelope{MailFrom: "bot@example.com", RcptTo: "contribute@" + domain}, plainMessage("bot@example.com", "contribute@"+domain, "Hello", "Auto-Submitted: auto-generated\n", "x"),
			inbound.Class{Kind: inbound.KindAutoreply}},
		{"precedence auto_reply", inbound.Envelope{MailFrom: "bot@example.com", RcptTo: "contribute@" + domain}, plainMessage("bot@example.com", "contribute@"+domain, "Hello", "Precedence: auto_reply\n", "x"),
			inbound.Class{Kind: inbound.KindAutoreply}},
		{"loop from our own domain", inbound.Envelope{MailFrom: "noreply@" + domain, RcptTo: "contribute@" + domain}, plainMessage("noreply@"+domain, "contribute@"+domain, "Thanks", "", "x"),
			inbound.Class{Kind: inbound.KindUnknown}},
		{"wrong verp tag", inbound.Envelope{MailFrom: "someone@example.com", RcptTo: "bounces+42-ffffffffff@" + domain}, plainMessage("someone@example.com", "x", "hi", "", "x"),
			inbound.Class{Kind: inbound.KindUnknown}},
		{"other local part", inbound.Envelope{MailFrom: "x@example.com", RcptTo: "hello@" + domain}, plainMessage("x@example.com", "hello@"+domain, "hi", "", "x"),
			inbound.Class{Kind: inbound.KindUnknown}},
		{"no header at all", inbound.Envelope{RcptTo: "contribute@" + domain}, []byte("\x00\xff\xfe garbage without a header"), inbound.Class{Kind: inbound.KindUnknown}},
		{"lying content type", inbound.Envelope{RcptTo: verp}, crlf("From: a@b.c\nSubject: x\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"NOPE\"\n\nnot multipart at all\n"),
			inbound.Class{Kind: inbound.KindUnknown}},
		{"broken content type", inbound.Envelope{RcptTo: "x@" + domain}, crlf("From: a@b.c\nSubject: x\nContent-Type: multipart/report; boundary=\n\nbody\n"), inbound.Class{Kind: inbound.KindUnknown}},
		{"unknown charset", inbound.Envelope{MailFrom: "a@b.c", RcptTo: "x@" + domain}, crlf("From: a@b.c\nSubject: =?x-klingon?Q?qapla=27?=\nContent-Type: text/plain; charset=x-klingon\n\nqapla'\n"), inbound.Class{Kind: inbound.KindUnknown}},
		{"invalid utf-8", inbound.Envelope{MailFrom: "a@b.c", RcptTo: "x@" + domain}, crlf("From: \xff\xfe <a@b.c>\nSubject: \xc3\x28\n\n\xff\n"), inbound.Class{Kind: inbound.KindUnknown}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := inbound.Classify(tc.env, tc.raw, a)
			if got.Kind != tc.want.Kind || got.Action != tc.want.Action || got.Status != tc.want.Status ||
				got.Permanent != tc.want.Permanent || got.Recipient != tc.want.Recipient || got.OrigID != tc.want.OrigID ||
				got.FeedbackType != tc.want.FeedbackType {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			checkValidUTF8(t, got)
		})
	}
}

func TestClassifyFindsTheComplainer(t *testing.T) {
	a := addrs()
	c := inbound.Classify(inbound.Envelope{RcptTo: "fbl@" + domain}, arfMessage("fbl@"+domain, a.Bounce(7, 77), "<https://x/unsubscribe/tok>", "redacted"), a)
	if c.Complained.DeliveryID != 77 {
		t.Errorf("VERP Return-Path: complained = %+v", c.Complained)
	}
	tok := "AbC-_d0123456789xyzXYZ"
	c = inbound.Classify(inbound.Envelope{RcptTo: "fbl@" + domain},
		arfMessage("fbl@"+domain, "news@example.org", "<mailto:"+a.Unsubscribe(tok)+"?subject=unsubscribe>, <https://news.example.org/unsubscribe/"+tok+">", "redacted"), a)
	if c.Complained.DeliveryID != 0 || c.Complained.Token != tok {
		t.Errorf("List-Unsubscribe: complained = %+v", c.Complained)
	}
	c = inbound.Classify(inbound.Envelope{RcptTo: "fbl@" + domain}, arfMessage("fbl@"+domain, "news@example.org", "", "reader@example.com"), a)
	if c.ComplainedTo != "reader@example.com" || c.Complained.Token != "" {
		t.Errorf("only the address survives: %+v", c)
	}
}

func checkValidUTF8(t *testing.T, c inbound.Class) {
	t.Helper()
	for _, s := range []string{c.Subject, c.From, c.MessageID, c.Diagnostic, c.Recipient, c.Reason, c.Status, c.OrigID, c.ComplainedTo, c.FeedbackType} {
		if !validText(s) {
			t.Errorf("field %q is not storable text", s)
		}
	}
}
