package delivery_test

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/config"
	"bulletin/internal/delivery"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/smtp"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Benchmarks (README "## Benchmarks"). Each runs a fixed number of
// recipients once; use -benchtime=1x.
//
//	go test ./internal/delivery -run '^$' -bench 'Throughput' -benchtime=1x
//	go test ./internal/delivery -run '^$' -bench 'FanOut1M' -benchtime=1x
//	BULLETIN_BENCH_RSS_N=1000000 go test ./internal/delivery -run '^$' -bench 'SenderRSS' -benchtime=1x -timeout 60m

// benchConns is the SMTP connections of every benchmark: 4, the service's
// default, or BULLETIN_BENCH_CONNS (listmonk's published figures use 10).
var benchConns = func() int {
	if n, err := strconv.Atoi(os.Getenv("BULLETIN_BENCH_CONNS")); err == nil && n > 0 {
		return n
	}
	return 4
}()

// benchContent is an issue of realistic size: about 30 KB of HTML and 8 KB
// of text, with the personal placeholders.
func benchContent() (string, string) {
	var h, t strings.Builder
	h.WriteString(`<html><body><table role="presentation" width="600" style="width:600px;max-width:600px">`)
	for i := range 40 {
		fmt.Fprintf(&h, `<tr><td style="padding:12px 24px;font-family:Georgia,serif;font-size:16px;line-height:1.5;color:#222">`+
			`<h2 style="margin:0 0 8px;font-size:20px">%d. Ward budgets open for ideas until 5 December</h2>`+
			`<p style="margin:0 0 12px">Every ward has £25,000 to spend next year. Send an idea in a sentence or two; the ward forum shortlists them in January. Hi %s!</p>`+
			`<a href="https://example.org/budgets/%d" style="color:#0645ad">Read more</a></td></tr>`, i, bulletin.PlaceholderName, i)
		fmt.Fprintf(&t, "%d. Ward budgets open for ideas until 5 December\n\nEvery ward has £25,000 to spend next year. Send an idea in a sentence or two.\nRead more: https://example.org/budgets/%d\n\n", i, i)
	}
	fmt.Fprintf(&h, `<tr><td><a href="%s">Unsubscribe</a> · <a href="%s">Preferences</a></td></tr></table></body></html>`,
		bulletin.PlaceholderUnsubscribeURL, bulletin.PlaceholderPreferencesURL)
	fmt.Fprintf(&t, "Unsubscribe: %s\nPreferences: %s\n", bulletin.PlaceholderUnsubscribeURL, bulletin.PlaceholderPreferencesURL)
	return h.String(), t.String()
}

func benchSeed(b *testing.B, n int) (*postgres.DB, int64) {
	db := pgtest.New(b)
	start := time.Now()
	issue := seed(b, db, n)
	html, text := benchContent()
	if _, err := db.Pool.Exec(context.Background(), `UPDATE issues SET html = $1, text_body = $2`, html, text); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool.Exec(context.Background(), `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d subscribers in %v", n, time.Since(start).Round(time.Millisecond))
	return db, issue
}

func BenchmarkThroughput(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if v, err := strconv.Atoi(os.Getenv("BULLETIN_BENCH_N")); err == nil {
		sizes = []int{v}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				benchThroughput(b, n)
			}
		})
	}
}

func benchThroughput(b *testing.B, n int) {
	b.StopTimer()
	// As a sending process runs (cmd/bulletin sets it); the bare loop in
	// this same process gets the same setting.
	defer debug.SetGCPercent(debug.SetGCPercent(delivery.GCPercent))
	db, issue := benchSeed(b, n)
	s := newFastSink(b)
	tr := &smtp.Transport{SMTP: config.SMTP{Host: "127.0.0.1", Port: s.port(), TLS: config.TLSNone}}

	// The limits: go-mail alone with pre-built messages, and their bytes
	// through go-mail's SMTP client; same connections, same sink. Each is
	// run before and after the end-to-end run, and averaged.
	bare1 := bareLoop(b, s, tr, n, false)
	raw1 := bareLoop(b, s, tr, n, true)

	cfg := delivery.Config{Conns: benchConns, BaseURL: "https://news.example.org"}
	if v := os.Getenv("BULLETIN_BENCH_MARK_WINDOW"); v != "" {
		cfg.MarkWindow, _ = strconv.Atoi(v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &delivery.Pool{Config: cfg, Store: db, Transport: tr, Log: testLog(b)}
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	svc := &delivery.Service{Store: db, Transport: tr, Config: cfg, Log: testLog(b), Wake: p.Wake}
	s.expect(n)
	b.StartTimer()
	cpu0 := readCPU()
	t0 := time.Now()
	if _, err := svc.Send(ctx, "weekly", 1); err != nil {
		b.Fatal(err)
	}
	fanout := time.Since(t0)
	<-s.done
	last := time.Since(t0)
	waitFor(b, time.Minute, "issue sent", func() bool { return issueStatus(b, db, issue) == bulletin.IssueSent })
	b.StopTimer()
	cpu := readCPU().since(cpu0)
	// The end is the last commit of a delivery as sent; the issue's own move
	// to "sent" waits for the finisher's next poll, which is not throughput.
	var lastMark time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT max(sent_at) FROM deliveries WHERE issue_id = $1`, issue).Scan(&lastMark); err != nil {
		b.Fatal(err)
	}
	all := lastMark.Sub(t0)
	cancel()
	<-done
	first := time.Duration(s.first.Load() - t0.UnixNano())

	bcpu0 := readCPU()
	bare2 := bareLoop(b, s, tr, n, false)
	bcpu := readCPU().since(bcpu0)
	raw2 := bareLoop(b, s, tr, n, true)
	b.Logf("CPU per message: end-to-end %v in this process + %v in PostgreSQL; bare go-mail loop %v",
		cpu.self/time.Duration(n), cpu.pg/time.Duration(n), bcpu.self/time.Duration(n))
	rate := func(d ...time.Duration) float64 { return float64(n*len(d)) / (d[0] + d[1]).Seconds() }
	e2eRate, bareRate, rawRate := rate(all, all), rate(bare1, bare2), rate(raw1, raw2)
	b.ReportMetric(e2eRate, "e2e_msg/s")
	b.ReportMetric(bareRate, "bare_msg/s")
	b.ReportMetric(rawRate, "raw_msg/s")
	b.ReportMetric(100*e2eRate/bareRate, "e2e_%_of_bare")
	b.ReportMetric(100*e2eRate/rawRate, "e2e_%_of_raw")
	b.ReportMetric(float64(first.Milliseconds()), "first_msg_ms")
	b.ReportMetric(float64(fanout.Milliseconds()), "fanout_ms")
	b.Logf("%d recipients, %d connections: end-to-end %v (fan-out %v, first message after %v, last after %v) = %.0f msg/s; "+
		"bare go-mail loop %v / %v = %.0f msg/s (%.1f%%); raw go-mail SMTP loop %v / %v = %.0f msg/s (%.1f%%)",
		n, benchConns, all.Round(time.Millisecond), fanout.Round(time.Millisecond), first.Round(time.Millisecond), last.Round(time.Millisecond),
		e2eRate, bare1.Round(time.Millisecond), bare2.Round(time.Millisecond), bareRate, 100*e2eRate/bareRate,
		raw1.Round(time.Millisecond), raw2.Round(time.Millisecond), rawRate, 100*e2eRate/rawRate)
}

// bareLoop sends n messages over benchConns connections, each message
// built before the clock starts (a hundred distinct ones, cycled): as
// go-mail messages through go-mail's Client.Send, which encodes each one as
// it sends it, or, raw, as those messages' bytes through go-mail's SMTP
// client, which is the floor for any sender on go-mail.
func bareLoop(b *testing.B, s *fastSink, tr *smtp.Transport, n int, raw bool) time.Duration {
	html, text := benchContent()
	per := bulletin.NewPersonalizer(html, text)
	msgs := make([]*gomail.Msg, 100)
	bytes := make([][]byte, len(msgs))
	for i := range msgs {
		h, t := per.Apply(bulletin.Personal{UnsubscribeURL: "https://news.example.org/unsubscribe/tok", Name: "User"})
		msgs[i] = goMailMessage(b, email(i+1), h, t)
		var buf strings.Builder
		if _, err := msgs[i].WriteTo(&buf); err != nil {
			b.Fatal(err)
		}
		bytes[i] = []byte(buf.String())
	}
	s.expect(n)
	var wg sync.WaitGroup
	var next sync.Mutex
	left := n
	start := time.Now()
	for w := range benchConns {
		wg.Add(1)
		// A go-mail Msg is not safe for concurrent sends: each connection
		// cycles through its own share of the messages.
		lo, hi := w*len(msgs)/benchConns, (w+1)*len(msgs)/benchConns
		go func() {
			defer wg.Done()
			cl, err := smtp.NewClient(tr.SMTP, smtp.Options{})
			if err != nil {
				b.Error(err)
				return
			}
			sc, err := cl.DialToSMTPClientWithContext(context.Background())
			if err != nil {
				b.Error(err)
				return
			}
			defer cl.CloseWithSMTPClient(sc)
			for i := 0; ; i++ {
				next.Lock()
				if left == 0 {
					next.Unlock()
					return
				}
				left--
				next.Unlock()
				k := lo + i%(hi-lo)
				if raw {
					err = sendRaw(sc, bytes[k])
				} else {
					err = cl.SendWithSMTPClient(sc, msgs[k])
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	<-s.done
	return time.Since(start)
}

func sendRaw(sc *gosmtp.Client, msg []byte) error {
	if err := sc.UpdateDeadline(time.Minute); err != nil {
		return err
	}
	if err := sc.Mail("news@example.org"); err != nil {
		return err
	}
	if err := sc.Rcpt("user1@example.org"); err != nil {
		return err
	}
	w, err := sc.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close()
}

// goMailMessage builds with go-mail the message the sender builds itself:
// the same headers and parts.
func goMailMessage(b *testing.B, to, html, text string) *gomail.Msg {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat("The Editors", "news@example.org"); err != nil {
		b.Fatal(err)
	}
	if err := msg.AddToFormat("User", to); err != nil {
		b.Fatal(err)
	}
	msg.Subject("Weekly update 1: news")
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBulk()
	msg.SetGenHeaderPreformatted("List-Id", "Weekly update <weekly.example.org>")
	msg.SetGenHeaderPreformatted("List-Unsubscribe", "<https://news.example.org/unsubscribe/tok>,\r\n <mailto:news@example.org?subject=unsubscribe%20tok>")
	msg.SetGenHeaderPreformatted("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	msg.SetGenHeaderPreformatted("List-Archive", "<https://news.example.org/archive/weekly/>")
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)
	return msg
}

func BenchmarkFanOut1M(b *testing.B) {
	for range b.N {
		b.StopTimer()
		db, issue := benchSeed(b, 1_000_000)
		b.StartTimer()
		start := time.Now()
		n, err := db.StartIssue(context.Background(), issue, []string{bulletin.IssueScheduled})
		first := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		rest, err := db.FanOut(context.Background(), issue)
		d := time.Since(start)
		b.StopTimer()
		if n += rest; err != nil || n != 1_000_000 {
			b.Fatalf("fan-out: %d, %v", n, err)
		}
		// The floor on this machine, now: the same rows into a copy of the
		// table with its defaults but no index, constraint or conflict check.
		ctx := context.Background()
		if _, err := db.Pool.Exec(ctx, `CREATE TABLE fanout_floor (LIKE deliveries INCLUDING DEFAULTS)`); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if _, err := db.Pool.Exec(ctx, `INSERT INTO fanout_floor (issue_id, subscriber_id) SELECT $1, id FROM subscribers ORDER BY id`, issue); err != nil {
			b.Fatal(err)
		}
		floor := time.Since(start)
		b.ReportMetric(d.Seconds(), "fanout_s")
		b.ReportMetric(first.Seconds(), "first_chunk_s")
		b.ReportMetric(floor.Seconds(), "floor_s")
		b.Logf("fan-out of %d deliveries: %v, the first chunk (issue sending, senders can start) after %v; floor (plain insert of the same rows, no indexes) %v",
			n, d.Round(time.Millisecond), first.Round(time.Millisecond), floor.Round(time.Millisecond))
	}
}

// BenchmarkSenderRSS sends to BULLETIN_BENCH_RSS_N recipients (default
// 100,000) from a separate sender process with the service's default
// settings and reports that process's peak RSS (VmHWM), and its RSS at a
// tenth and at half of the way, which shows whether memory stays flat.
func BenchmarkSenderRSS(b *testing.B) {
	n := 100_000
	if v := os.Getenv("BULLETIN_BENCH_RSS_N"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for range b.N {
		b.StopTimer()
		db, issue := benchSeed(b, n)
		url := db.Pool.Config().ConnString()
		s := newFastSink(b)
		s.expect(n)
		if _, err := db.StartIssue(context.Background(), issue, []string{bulletin.IssueScheduled}); err != nil {
			b.Fatal(err)
		}
		if _, err := db.FanOut(context.Background(), issue); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		p := startSender(b, url, s, "SENDER_DEFAULTS=1")
		var rss10, rss50 string
		waitFor(b, 2*time.Hour, "a tenth sent", func() bool { return s.n.Load() >= int64(n/10) })
		rss10 = procRSS(p.cmd.Process.Pid)
		waitFor(b, 2*time.Hour, "half sent", func() bool { return s.n.Load() >= int64(n/2) })
		rss50 = procRSS(p.cmd.Process.Pid)
		<-s.done
		d := time.Since(start)
		waitFor(b, time.Minute, "issue sent", func() bool { return issueStatus(b, db, issue) == bulletin.IssueSent })
		b.StopTimer()
		if err := p.stop(b, syscall.SIGTERM); err != nil {
			b.Fatalf("sender: %v\n%s", err, p.out.String())
		}
		hwm := strings.TrimSpace(strings.TrimPrefix(lastLine(p.out.String(), "vmhwm="), "vmhwm="))
		kb, _ := strconv.Atoi(hwm)
		b.ReportMetric(float64(kb)/1024, "peak_rss_MB")
		b.ReportMetric(float64(n)/d.Seconds(), "msg/s")
		b.Logf("%d recipients from one sender process (%d connections) in %v (%.0f msg/s); sender RSS at 10%%: %s, at 50%%: %s, peak (VmHWM): %.1f MB",
			n, benchConns, d.Round(time.Second), float64(n)/d.Seconds(), rss10, rss50, float64(kb)/1024)
	}
}

// procRSS reads a process's current resident set size.
func procRSS(pid int) string {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	f := strings.Fields(lastLine(string(st), "VmRSS:"))
	if len(f) < 3 {
		return "?"
	}
	kb, _ := strconv.Atoi(f[1])
	return fmt.Sprintf("%.1f MB", float64(kb)/1024)
}
