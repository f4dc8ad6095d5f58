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

// benchWindows are the mark windows BenchmarkThroughput runs end to end,
// side by side: the default and the bulk opt-in, or those listed in
// BULLETIN_BENCH_MARK_WINDOW ("1,8"; -1: none).
func benchWindows() []int {
	v := os.Getenv("BULLETIN_BENCH_MARK_WINDOW")
	if v == "" {
		return []int{delivery.DefaultMarkWindow, delivery.BulkMarkWindow}
	}
	var ws []int
	for _, f := range strings.Split(v, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			panic("BULLETIN_BENCH_MARK_WINDOW: " + err.Error())
		}
		ws = append(ws, w)
	}
	return ws
}

func benchThroughput(b *testing.B, n int) {
	b.StopTimer()
	// As a sending process runs (cmd/bulletin sets it); the bare loops in
	// this same process get the same setting.
	defer debug.SetGCPercent(debug.SetGCPercent(delivery.GCPercent))
	s := newFastSink(b)
	tr := &smtp.Transport{SMTP: config.SMTP{Host: "127.0.0.1", Port: s.Port(), TLS: config.TLSNone}}

	// The limits: go-mail alone with pre-built messages, and their bytes
	// through go-mail's SMTP client; same connections, same sink. Each is
	// run before and after the end-to-end runs, and averaged.
	bare1 := bareLoop(b, s, tr, n, false)
	raw1 := bareLoop(b, s, tr, n, true)
	var runs []e2eRun
	for _, w := range benchWindows() {
		runs = append(runs, benchEndToEnd(b, s, tr, n, w))
	}
	bcpu0 := readCPU()
	bare2 := bareLoop(b, s, tr, n, false)
	bcpu := readCPU().since(bcpu0)
	rcpu0 := readCPU()
	raw2 := bareLoop(b, s, tr, n, true)
	rcpu := readCPU().since(rcpu0)
	rate := func(d ...time.Duration) float64 { return float64(n*len(d)) / (d[0] + d[1]).Seconds() }
	bareRate, rawRate := rate(bare1, bare2), rate(raw1, raw2)
	b.ReportMetric(bareRate, "bare_msg/s")
	b.ReportMetric(rawRate, "raw_msg/s")
	b.Logf("%d recipients, %d connections, load average %s: bare go-mail loop %v / %v = %.0f msg/s (CPU %v per message); raw go-mail SMTP loop %v / %v = %.0f msg/s (CPU %v)",
		n, benchConns, loadavg(), bare1.Round(time.Millisecond), bare2.Round(time.Millisecond), bareRate, bcpu.self/time.Duration(n),
		raw1.Round(time.Millisecond), raw2.Round(time.Millisecond), rawRate, rcpu.self/time.Duration(n))
	for _, r := range runs {
		e2eRate := float64(n) / r.all.Seconds()
		unit := func(u string) string { return fmt.Sprintf("w%d_%s", r.window, u) }
		b.ReportMetric(e2eRate, unit("e2e_msg/s"))
		b.ReportMetric(100*e2eRate/bareRate, unit("%_of_bare"))
		b.ReportMetric(100*e2eRate/rawRate, unit("%_of_raw"))
		b.ReportMetric(float64(r.first.Milliseconds()), unit("first_msg_ms"))
		// On a busy machine the wall-clock ratios move with the load; the
		// CPU per message (sender, sink and PostgreSQL against the loop and
		// its sink) is what the machine would allow when quiet.
		cpu := (r.cpu.self + r.cpu.pg) / time.Duration(n)
		b.Logf("mark window %d: end-to-end %v (fan-out %v, first message after %v, last after %v) = %.0f msg/s = %.1f%% of bare, %.1f%% of raw; "+
			"CPU per message %v in this process + %v in PostgreSQL = %v: %.1f%% of bare's, %.1f%% of raw's",
			r.window, r.all.Round(time.Millisecond), r.fanout.Round(time.Millisecond), r.first.Round(time.Millisecond), r.last.Round(time.Millisecond),
			e2eRate, 100*e2eRate/bareRate, 100*e2eRate/rawRate, r.cpu.self/time.Duration(n), r.cpu.pg/time.Duration(n), cpu,
			100*float64(bcpu.self/time.Duration(n))/float64(cpu), 100*float64(rcpu.self/time.Duration(n))/float64(cpu))
	}
}

// e2eRun is one end-to-end send of an issue.
type e2eRun struct {
	window                   int
	fanout, first, last, all time.Duration
	cpu                      cpuClock
}

// benchEndToEnd sends an issue to n fresh recipients with the given mark
// window and the service's other defaults. With BULLETIN_BENCH_PROFILE set
// to a folder, it writes there a CPU profile of this process (sender and
// sink) and a perf recording of its PostgreSQL during the run.
func benchEndToEnd(b *testing.B, s *fastSink, tr *smtp.Transport, n, window int) e2eRun {
	db, issue := benchSeed(b, n)
	cfg := delivery.Config{Conns: benchConns, MarkWindow: window, BaseURL: "https://news.example.org"}
	if window == 0 {
		cfg.MarkWindow = -1 // the pool's "none"
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &delivery.Pool{Config: cfg, Store: db, Transport: tr, Log: testLog(b)}
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	svc := &delivery.Service{Store: db, Transport: tr, Config: cfg, Log: testLog(b), Wake: p.Wake}
	s.expect(n)
	stopProfile := startProfiles(b, fmt.Sprintf("w%d-c%d", window, benchConns))
	b.StartTimer()
	cpu0 := readCPU()
	t0 := time.Now()
	if _, err := svc.Send(ctx, "weekly", 1); err != nil {
		b.Fatal(err)
	}
	r := e2eRun{window: window, fanout: time.Since(t0)}
	<-s.done
	r.last = time.Since(t0)
	waitFor(b, time.Minute, "issue sent", func() bool { return issueStatus(b, db, issue) == bulletin.IssueSent })
	b.StopTimer()
	r.cpu = readCPU().since(cpu0)
	stopProfile()
	// The end is the last commit of a delivery as sent; the issue's own move
	// to "sent" waits for the finisher's next poll, which is not throughput.
	var lastMark time.Time
	if err := db.Pool.QueryRow(ctx, `SELECT max(sent_at) FROM deliveries WHERE issue_id = $1`, issue).Scan(&lastMark); err != nil {
		b.Fatal(err)
	}
	r.all = lastMark.Sub(t0)
	cancel()
	<-done
	r.first = time.Duration(s.first.Load() - t0.UnixNano())
	return r
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
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
