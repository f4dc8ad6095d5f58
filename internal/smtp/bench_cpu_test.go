package smtp_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"bulletin/internal/capture"
	"bulletin/internal/config"
	"bulletin/internal/delivery"
	"bulletin/internal/smtp"
)

// countStore is a capture store that keeps nothing, so a long run stays
// small; both runs pay the server's share of CPU alike.
type countStore struct{ n atomic.Int64 }

func (s *countStore) SaveCapturedMessage(context.Context, *capture.Message) error {
	s.n.Add(1)
	return nil
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDKIMCPU measures signing from outside, as the process's CPU
// time: N messages through a real go-smtp server unsigned, then signed
// with RSA-2048, each run CPU-bound over 4 connections; then N bare
// rsa.SignPKCS1v15 calls on as many goroutines. The overhead is what a
// signed message costs beyond an unsigned one and the RSA operation.
//
//	go test ./internal/smtp -run '^$' -bench DKIMCPU -benchtime=1x   (BULLETIN_BENCH_N, default 5000)
func BenchmarkDKIMCPU(b *testing.B) {
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("BULLETIN_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	const conns = 4
	st := &countStore{}
	srv, err := capture.Start("127.0.0.1:0", st, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	l, r := letter(), recipient()
	l.HTML, l.Text = benchBodies()

	run := func(d *smtp.DKIM) (cpu, wall time.Duration) {
		tr := &smtp.Transport{SMTP: config.PlainSMTP(srv.Addr), DKIM: d}
		p, err := tr.Prepare(l)
		if err != nil {
			b.Fatal(err)
		}
		before := st.n.Load()
		c0, t0 := cpuNow(), time.Now()
		var wg sync.WaitGroup
		for range conns {
			wg.Go(func() {
				c, err := tr.Dial(context.Background())
				if err != nil {
					b.Error(err)
					return
				}
				defer c.Close()
				for range n / conns {
					if _, err := c.Send(p, r); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if got := st.n.Load() - before; got != int64(n/conns*conns) {
			b.Fatalf("server received %d messages, want %d", got, n/conns*conns)
		}
		return cpuNow() - c0, time.Since(t0)
	}
	bare := func() (cpu, wall time.Duration) {
		digest := sha256.Sum256([]byte("x"))
		c0, t0 := cpuNow(), time.Now()
		var wg sync.WaitGroup
		for range conns {
			wg.Go(func() {
				for range n / conns {
					if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		return cpuNow() - c0, time.Since(t0)
	}
	for b.Loop() {
		sent := float64(n / conns * conns)
		plainCPU, plainWall := run(nil)
		signedCPU, signedWall := run(&smtp.DKIM{Domain: "example.org", Keys: []smtp.DKIMKey{{Selector: "s", Key: key}}})
		bareCPU, bareWall := bare()
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / sent }
		over := (per(signedCPU) - per(plainCPU) - per(bareCPU)) / per(bareCPU) * 100
		b.ReportMetric(per(plainCPU), "cpu-µs/unsigned")
		b.ReportMetric(per(signedCPU), "cpu-µs/signed")
		b.ReportMetric(per(bareCPU), "cpu-µs/bare-rsa")
		b.ReportMetric(over, "overhead-%")
		b.ReportMetric(sent/plainWall.Seconds(), "msg/s-unsigned")
		b.ReportMetric(sent/signedWall.Seconds(), "msg/s-signed")
		b.ReportMetric(signedCPU.Seconds()/signedWall.Seconds(), "cores-signing")
		b.ReportMetric(bareCPU.Seconds()/bareWall.Seconds(), "cores-bare")
	}
}

// benchBodies is a 40-item issue body with the name near the top and the
// unsubscribe link at the end, as the real template has them.
func benchBodies() (html, text string) {
	l, _ := benchLetterForCPU()
	return l.HTML, l.Text
}

func benchLetterForCPU() (*delivery.Letter, *delivery.Recipient) {
	l := letter()
	var h, t []byte
	h = append(h, "<p>Hi __BULLETIN_NAME__!</p>"...)
	t = append(t, "Hi __BULLETIN_NAME__!\n\n"...)
	for range 40 {
		h = append(h, `<tr><td style="padding:12px 24px;font-family:Georgia,serif;font-size:16px;line-height:1.5;color:#222">`+
			`<h2 style="margin:0 0 8px;font-size:20px">Ward budgets open for ideas until 5 December</h2>`+
			`<p style="margin:0 0 12px">Every ward has £25,000 to spend next year.</p></td></tr>`...)
		t = append(t, "Ward budgets open for ideas until 5 December\n\nEvery ward has £25,000 to spend next year.\n\n"...)
	}
	h = append(h, `<a href="__BULLETIN_UNSUBSCRIBE_URL__">Unsubscribe</a>`...)
	t = append(t, "Unsubscribe: __BULLETIN_UNSUBSCRIBE_URL__\n"...)
	l.HTML, l.Text = string(h), string(t)
	return l, recipient()
}
