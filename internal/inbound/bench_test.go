package inbound_test

import (
	"bytes"
	"io"
	"net/mail"
	"strings"
	"testing"

	"bulletin/internal/fixture"
	"bulletin/internal/inbound"
)

// BenchmarkClassify measures the classifier per kind of message, in
// messages a second. BenchmarkReadMessage is its limit measured in the
// same run: only reading the same DSN's header and body with net/mail.
//
//	go test -run '^$' -bench 'Classify|ReadMessage' ./internal/inbound/
func BenchmarkClassify(b *testing.B) {
	a := addrs()
	verp := a.Bounce(7, 42)
	cases := []struct {
		name string
		env  inbound.Envelope
		raw  []byte
	}{
		{"dsn", inbound.Envelope{RcptTo: verp}, inbound.SampleDSN(verp, "gone@example.com", "failed", "5.1.1", "smtp; 550 5.1.1 user unknown")},
		{"arf", inbound.Envelope{RcptTo: "fbl@" + domain}, inbound.SampleARF("fbl@"+domain, verp)},
		{"plain-bounce", inbound.Envelope{RcptTo: verp}, qmailBounce(verp, "gone@example.com")},
		{"contribution", inbound.Envelope{MailFrom: "a@example.com", RcptTo: "contribute@" + domain},
			inbound.SampleMail("a@example.com", "contribute@"+domain, "A tip", strings.Repeat("Some text of a contribution.\n", 40))},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.raw)))
			b.ReportAllocs()
			for b.Loop() {
				if c := inbound.Classify(tc.env, tc.raw, a); c.Kind == inbound.KindUnknown {
					b.Fatal(c.Reason)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func BenchmarkReadMessage(b *testing.B) {
	raw := inbound.SampleDSN(addrs().Bounce(7, 42), "gone@example.com", "failed", "5.1.1", "smtp; 550 5.1.1 user unknown")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadAll(m.Body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkListener10000Bounces sends 10,000 DSNs over 16 connections to
// the listener (each stored and acted on before its 250) and reports the
// rate and the process's peak RSS (VmHWM) next to its RSS before: the
// client side shares the process but holds one message per connection.
//
//	go test -run '^$' -bench Listener10000 -benchtime 1x ./internal/inbound/
func BenchmarkListener10000Bounces(b *testing.B) {
	const n, conns = 10000, 16
	for range b.N {
		b.StopTimer()
		w := newWorld(b)
		var issue int64
		w.query(`INSERT INTO issues (newsletter_id, number, status) SELECT id, 1, 'sent' FROM newsletters WHERE is_default RETURNING id`, nil, &issue)
		exec(b, w.db, `INSERT INTO subscribers (email, token) SELECT 'r'||i||'@example.com', 'tok'||i||'-0123456789abcdef' FROM generate_series(1, $1) i`, n)
		exec(b, w.db, `INSERT INTO deliveries (issue_id, subscriber_id, status) SELECT $1, id, 'sent' FROM subscribers`, issue)
		exec(b, w.db, `INSERT INTO delivery_counts (issue_id, total, sent) VALUES ($1, $2, $2)`, issue, n)
		addr := startListener(b, w, 0)
		base := fixture.ProcKB(0, "VmRSS")
		a := addrs()
		b.StartTimer()
		failed := fixture.SendBounces(addr, a, issue, n, conns)
		b.StopTimer()
		if failed != nil {
			b.Fatal(failed)
		}
		if got := w.count(`SELECT count(*) FROM deliveries WHERE status = 'failed'`); got != n {
			b.Fatalf("%d of %d deliveries failed", got, n)
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		b.ReportMetric(float64(fixture.ProcKB(0, "VmHWM"))/1024, "peak_rss_MB")
		b.ReportMetric(float64(base)/1024, "rss_before_MB")
		b.ReportMetric(float64(fixture.ProcKB(0, "VmRSS"))/1024, "rss_after_MB")
	}
}
