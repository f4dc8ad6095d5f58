package delivery_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"bulletin/internal/delivery"
)

// BenchmarkSendAnswer is how long a send takes to answer the API or the
// admin UI, at BULLETIN_BENCH_MILLION_N recipients (1,000,000): issue 1
// fanned out before the answer (the CLI's way, and every send's before the
// background fan-out), then issue 2 to the same subscribers with FanOuts
// running, as in `serve`, with the time until its fan-out is done. No
// sender runs: this is the fan-out alone.
//
//	go test ./internal/delivery -run '^$' -bench 'SendAnswer' -benchtime=1x -timeout 30m
func BenchmarkSendAnswer(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BULLETIN_BENCH_MILLION_N")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		b.StopTimer()
		db, _ := benchSeed(b, n)
		ctx := context.Background()
		if _, err := db.Pool.Exec(ctx, `INSERT INTO issues (newsletter_id, number, status, subject, html, text_body)
			SELECT newsletter_id, 2, 'scheduled', subject, html, text_body FROM issues WHERE number = 1`); err != nil {
			b.Fatal(err)
		}
		fo := &delivery.FanOuts{Store: db, Log: testLog(b)}
		fctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- fo.Run(fctx) }()
		waitFor(b, time.Minute, "the fan-out service running", fo.Running)
		svc := &delivery.Service{Store: db, Transport: transport(newSink(b)), Config: fastConfig(), Log: testLog(b)}
		b.StartTimer()

		t0 := time.Now()
		before, err := svc.Send(ctx, "weekly", 1)
		whole := time.Since(t0)
		if err != nil || before != int64(n) {
			b.Fatalf("send issue 1: %d, %v", before, err)
		}
		svc.Continue = fo.Continue
		t1 := time.Now()
		first, err := svc.Send(ctx, "weekly", 2)
		answer := time.Since(t1)
		if err != nil {
			b.Fatal(err)
		}
		iss, err := db.FindSendIssue(ctx, "weekly", 2)
		if err != nil {
			b.Fatal(err)
		}
		waitFor(b, 10*time.Minute, "the background fan-out", func() bool {
			p, err := db.IssueProgress(ctx, iss.ID)
			return err == nil && !p.FanningOut
		})
		background := time.Since(t1)
		b.StopTimer()
		stop()
		<-done
		p, err := db.IssueProgress(ctx, iss.ID)
		if err != nil || p.Total != n {
			b.Fatalf("issue 2: %+v, %v; want %d deliveries", p, err, n)
		}
		b.ReportMetric(whole.Seconds(), "s/answer-fanned-out")
		b.ReportMetric(answer.Seconds(), "s/answer-background")
		b.ReportMetric(background.Seconds(), "s/background-fan-out")
		b.Logf("%d recipients: a send answered after %v fanning out first; %v with the background fan-out (%d deliveries then), "+
			"which finished %v after the send; load average %s",
			n, whole.Round(time.Millisecond), answer.Round(time.Millisecond), first, background.Round(time.Millisecond), loadavg())
	}
}
