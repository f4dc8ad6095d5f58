package inbound_test

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// The messages tests feed the classifier and the listener, written as the
// real senders write them.

const domain = "in.example.test"

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// dsnMessage is a postfix-style RFC 3464 report about rcpt, to bounceTo,
// including Auto-Submitted as real DSNs do.
func dsnMessage(bounceTo, rcpt, action, status, diag, origID string) []byte {
	return crlf(fmt.Sprintf(`Return-Path: <>
From: MAILER-DAEMON@relay.example.net (Mail Delivery System)
To: %[1]s
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-%[2]s-%[3]s@relay.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BND"

--BND
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--BND
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net
Arrival-Date: Thu,  3 Dec 2026 10:00:00 +0000

Final-Recipient: rfc822; %[2]s
Original-Recipient: rfc822;%[2]s
Action: %[3]s
Status: %[4]s
Remote-MTA: dns; mx.example.com
Diagnostic-Code: %[5]s

--BND
Content-Type: text/rfc822-headers

Return-Path: <%[1]s>
From: News <news@example.org>
To: %[2]s
Subject: Weekly update #1
Message-ID: %[6]s

--BND--
`, bounceTo, rcpt, action, status, diag, origID))
}

// arfMessage is an RFC 5965 report with the recipient redacted; the
// original keeps its Return-Path and List-Unsubscribe.
func arfMessage(to, returnPath, listUnsub, origTo string) []byte {
	return crlf(fmt.Sprintf(`From: feedback@fbl.example.com
To: %s
Subject: FW: Weekly update #1
Message-ID: <arf-%s@fbl.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

--ARF
Content-Type: text/plain

This is an email abuse report.

--ARF
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeFBL/1.0
Version: 1

--ARF
Content-Type: message/rfc822

Return-Path: <%s>
From: News <news@example.org>
To: %s
Subject: Weekly update #1
Message-ID: <orig@example.org>
List-Unsubscribe: %s

Hello.
--ARF--
`, to, strings.NewReplacer("@", ".", "+", ".").Replace(returnPath+origTo), returnPath, origTo, listUnsub))
}

func plainMessage(from, to, subject, extra, body string) []byte {
	return crlf(fmt.Sprintf("From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%x@sender.example.com>\n%sContent-Type: text/plain; charset=utf-8\n\n%s\n",
		from, to, subject, sha256.Sum256([]byte(subject+from+to+extra+body)), extra, body))
}

// qmailBounce is a plain-text, non-RFC 3464 bounce.
func qmailBounce(to, rcpt string) []byte {
	return crlf(fmt.Sprintf(`From: MAILER-DAEMON@mail.example.net
To: %s
Subject: failure notice
Message-ID: <qmail-%s@mail.example.net>

Hi. This is the qmail-send program at mail.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<%s>:
550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table
`, to, rcpt, rcpt, rcpt))
}
