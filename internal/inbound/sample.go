package inbound

import (
	"fmt"
	"strings"
	"time"
)

// Sample messages, as real senders write them: for the demo's data and
// the benchmarks. Tests keep their own.

// SampleDSN is an RFC 3464 report, as postfix writes it, about a message
// to rcpt sent with envelope sender to; action is failed or delayed.
func SampleDSN(to, rcpt, action, status, diag string) []byte {
	return crlfText(fmt.Sprintf(`From: MAILER-DAEMON@relay.example.net (Mail Delivery System)
To: %[1]s
Subject: Undelivered Mail Returned to Sender
Date: %[6]s
Message-Id: <%[5]d.dsn@relay.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered to one or more recipients.

--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net

Final-Recipient: rfc822; %[2]s
Original-Recipient: rfc822;%[2]s
Action: %[3]s
Status: %[4]s
Diagnostic-Code: %[7]s

--dsn
Content-Type: text/rfc822-headers

Return-Path: <%[1]s>
To: %[2]s
Subject: Weekly update

--dsn--
`, to, rcpt, action, status, time.Now().UnixNano(), time.Now().Format(time.RFC1123Z), diag))
}

// SampleARF is an RFC 5965 complaint with the recipient redacted, about a
// message whose envelope sender was returnPath.
func SampleARF(to, returnPath string) []byte {
	return crlfText(fmt.Sprintf(`From: feedback@fbl.example.com
To: %[1]s
Subject: Abuse report
Message-Id: <%[3]d.arf@fbl.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf"

--arf
Content-Type: text/plain

This is an email abuse report.

--arf
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ExampleFBL/1.0
Version: 1

--arf
Content-Type: text/rfc822-headers

Return-Path: <%[2]s>
To: redacted
Subject: Weekly update

--arf--
`, to, returnPath, time.Now().UnixNano()))
}

// SampleMail is a plain text message from a person.
func SampleMail(from, to, subject, body string) []byte {
	return crlfText(fmt.Sprintf("From: %s\nTo: %s\nSubject: %s\nDate: %s\nMessage-Id: <%d.mail@example.org>\nContent-Type: text/plain; charset=utf-8\n\n%s\n",
		from, to, subject, time.Now().Format(time.RFC1123Z), time.Now().UnixNano(), body))
}

func crlfText(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }
