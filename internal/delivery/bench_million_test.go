package delivery_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/config"
	"bulletin/internal/delivery"
	"bulletin/internal/postgres"
	"bulletin/internal/smtp"
)

// BenchmarkMillion is issue 17's "a million recipients": one sender
// process with the service's defaults (BULLETIN_BENCH_CONNS connections,
// SENDER_MARK_WINDOW passed through), the issue sent from this process as
// `bulletin send --detach` would, first to 10,000 recipients and then to
// BULLETIN_BENCH_MILLION_N (1,000,000) in the same run. It reports, for
// each, the time from the send call to the first message at the sink, the
// rate from the send call to the last message, and the sender's peak RSS;
// and the large run's rate against the 10,000 one (run before and after).
//
//	go test ./internal/delivery -run '^$' -bench 'Million' -benchtime=1x -timeout 120m
func BenchmarkMillion(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BULLETIN_BENCH_MILLION_N")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		// The 10,000 run before and after the large one, averaged: the
		// machine's load drifts over the minutes the large run takes.
		before := benchDetached(b, 10_000)
		large := benchDetached(b, n)
		after := benchDetached(b, 10_000)
		small := detachedRun{first: max(before.first, after.first), rate: (before.rate + after.rate) / 2,
			peakMB: max(before.peakMB, after.peakMB), cpu: (before.cpu + after.cpu) / 2}
		ratio := large.rate / small.rate
		// On a shared machine the load moves the rates; the CPU each
		// message costs moves much less.
		cpuRatio := float64(small.cpu) / float64(large.cpu)
		b.ReportMetric(100*cpuRatio, "%_of_10k_by_cpu")
		b.ReportMetric(large.first.Seconds(), "first_msg_s")
		b.ReportMetric(large.rate, "msg/s")
		b.ReportMetric(small.rate, "10k_msg/s")
		b.ReportMetric(100*ratio, "%_of_10k_rate")
		b.ReportMetric(large.peakMB, "peak_rss_MB")
		b.Logf("%d recipients: first message %v after send, %.0f msg/s, peak RSS %.1f MB; 10,000 recipients, same run: first message %v, %.0f msg/s, peak RSS %.1f MB; "+
			"rate %.1f%% of the 10,000 rate; CPU per message %v against %v: %.1f%%; load average %s",
			n, large.first.Round(time.Millisecond), large.rate, large.peakMB, small.first.Round(time.Millisecond), small.rate, small.peakMB,
			100*ratio, large.cpu, small.cpu, 100*cpuRatio, loadavg())
	}
}

type detachedRun struct {
	first  time.Duration
	rate   float64
	peakMB float64
	cpu    time.Duration // per message: the sender process, PostgreSQL, and this process (sink, fan-out)
}

// benchDetached seeds n subscribers, starts a sender process, sends the
// issue from this process and waits for the last message at the sink.
func benchDetached(b *testing.B, n int) detachedRun {
	b.StopTimer()
	db, issue := benchSeed(b, n)
	url := db.Pool.Config().ConnString()
	s := newFastSink(b)
	env := []string{"SENDER_DEFAULTS=1"}
	if w := os.Getenv("SENDER_MARK_WINDOW"); w != "" {
		env = append(env, "SENDER_MARK_WINDOW="+w)
	}
	p := startSender(b, url, s, env...)
	waitListening(b, db)
	s.expect(n)
	tr := &smtp.Transport{SMTP: config.SMTP{Host: "127.0.0.1", Port: s.Port(), TLS: config.TLSNone}}
	svc := &delivery.Service{Store: db, Transport: tr, Config: delivery.Config{BaseURL: "https://news.example.org"}, Log: testLog(b)}
	b.StartTimer()
	cpu0 := readCPU()
	t0 := time.Now()
	if _, err := svc.Send(context.Background(), "weekly", 1); err != nil {
		b.Fatal(err)
	}
	<-s.done
	d := time.Since(t0)
	b.StopTimer()
	waitFor(b, time.Minute, "issue sent", func() bool { return issueStatus(b, db, issue) == bulletin.IssueSent })
	cpu := readCPU().since(cpu0)
	if err := p.stop(b, syscall.SIGTERM); err != nil {
		b.Fatalf("sender: %v\n%s", err, p.out.String())
	}
	sender := p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
	kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(lastLine(p.out.String(), "vmhwm="), "vmhwm=")))
	r := detachedRun{first: time.Duration(s.first.Load() - t0.UnixNano()), rate: float64(n) / d.Seconds(), peakMB: float64(kb) / 1024,
		cpu: (sender + cpu.pg + cpu.self) / time.Duration(n)}
	b.Logf("%d recipients: first message after %v, all in %v = %.0f msg/s, sender peak RSS %.1f MB; CPU per message %v "+
		"(sender process %v, PostgreSQL %v, sink and fan-out %v); load average %s",
		n, r.first.Round(time.Millisecond), d.Round(time.Millisecond), r.rate, r.peakMB, r.cpu,
		sender/time.Duration(n), cpu.pg/time.Duration(n), cpu.self/time.Duration(n), loadavg())
	return r
}

// waitListening waits until a sender process listens for new deliveries,
// so that the send wakes it rather than its next poll.
func waitListening(b *testing.B, db *postgres.DB) {
	waitFor(b, time.Minute, "the sender listening", func() bool {
		var n int
		err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&n)
		return err == nil && n > 0
	})
}
