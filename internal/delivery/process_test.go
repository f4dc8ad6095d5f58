package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/config"
	"bulletin/internal/delivery"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/smtp"
)

// The fault tests run the sender as a separate OS process: the test binary
// re-executed with senderEnv set, so kill -9 and SIGTERM are real.
const senderEnv = "BULLETIN_TEST_SENDER"

const senderConns = 3

// runSenderProcess is main() of a sender process: DATABASE_URL and
// SMTP_PORT from the environment, stop on SIGTERM.
func runSenderProcess() int {
	debug.SetGCPercent(delivery.GCPercent) // as cmd/bulletin's sender role
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	db, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), 8)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	port, _ := strconv.Atoi(os.Getenv("SMTP_PORT"))
	// The default lease and mark window: what a kill -9 costs is under test.
	cfg := delivery.Config{Conns: senderConns, Batch: 50, Poll: 20 * time.Millisecond,
		RetryBase: 10 * time.Millisecond, BaseURL: "https://news.example.org"}
	if os.Getenv("SENDER_DEFAULTS") != "" { // the benchmark: the service's own settings
		cfg = delivery.Config{Conns: benchConns, BaseURL: "https://news.example.org"}
	}
	if w, err := strconv.Atoi(os.Getenv("SENDER_MARK_WINDOW")); err == nil {
		cfg.MarkWindow = w
	}
	tr := &countingTransport{Transport: &smtp.Transport{SMTP: config.SMTP{Host: "127.0.0.1", Port: port, TLS: config.TLSNone}}}
	p := &delivery.Pool{Config: cfg, Store: db, Transport: tr,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if err := p.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("sent=%d\n", tr.n.Load())
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		fmt.Printf("vmhwm=%s\n", strings.Fields(lastLine(string(st), "VmHWM:"))[1])
	}
	return 0
}

// countingTransport counts the messages this process sent, so the
// scale-out test can show that every process took part.
type countingTransport struct {
	*smtp.Transport
	n atomic.Int64
}

func (c *countingTransport) Dial(ctx context.Context) (delivery.Conn, error) {
	conn, err := c.Transport.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: &c.n}, nil
}

type countingConn struct {
	delivery.Conn
	n *atomic.Int64
}

func (c *countingConn) Send(p delivery.Prepared, r *delivery.Recipient) (string, error) {
	reply, err := c.Conn.Send(p, r)
	if err == nil {
		c.n.Add(1)
	}
	return reply, err
}

type senderProc struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

func startSender(t testing.TB, dbURL string, s interface{ Port() int }, env ...string) *senderProc {
	t.Helper()
	p := &senderProc{cmd: exec.Command(os.Args[0], "-test.run=^$")}
	p.cmd.Env = append(os.Environ(), senderEnv+"=1", "DATABASE_URL="+dbURL, "SMTP_PORT="+strconv.Itoa(s.Port()))
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("sender %d output:\n%s", p.cmd.Process.Pid, p.out.String())
		}
	})
	return p
}

// stop sends sig and waits for the process to exit.
func (p *senderProc) stop(t testing.TB, sig syscall.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return p.cmd.Wait()
}

// startIssue fans out issue 1 from the test process.
func startIssue(t *testing.T, db *postgres.DB, issue int64) {
	t.Helper()
	if _, err := db.StartIssue(context.Background(), issue, []string{bulletin.IssueScheduled}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FanOut(context.Background(), issue); err != nil {
		t.Fatal(err)
	}
}

// processDB is a fresh database, reachable by URL from sender processes,
// seeded with n subscribers and issue 1; it returns the URL, a connection
// for the test and the issue.
func processDB(t *testing.T, n int) (string, *postgres.DB, int64) {
	t.Helper()
	url := pgtest.NewURL(t)
	db, err := postgres.Open(context.Background(), url, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return url, db, seed(t, db, n)
}

// sendingUnderWay starts issue 1 to n subscribers, then a sender process
// (with env) towards a sink that takes a millisecond a message, and
// returns once 300 messages are through: a sender in the middle of a send.
func sendingUnderWay(t *testing.T, n int, env ...string) (url string, db *postgres.DB, issue int64, s *sink, p *senderProc) {
	t.Helper()
	url, db, issue = processDB(t, n)
	s = newSink(t)
	s.Delay = time.Millisecond
	startIssue(t, db, issue)
	p = startSender(t, url, s, env...)
	waitFor(t, 60*time.Second, "sending under way", func() bool { return s.Count() >= 300 })
	return url, db, issue, s, p
}

func waitSent(t *testing.T, db *postgres.DB, issue int64) {
	t.Helper()
	waitSentWithin(t, db, issue, 90*time.Second)
}

func waitSentWithin(t *testing.T, db *postgres.DB, issue int64, d time.Duration) {
	t.Helper()
	waitFinished(t, db, issue, d)
	checkCounts(t, db, issue)
}

func TestKill9MidSendThenRestart(t *testing.T) {
	const n = 1500
	url, db, issue, s, a := sendingUnderWay(t, n)
	_ = a.stop(t, syscall.SIGKILL)
	t.Logf("killed the sender after %d messages", s.Count())

	var leased int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM deliveries
		WHERE status = 'pending' AND locked_until > now()`).Scan(&leased); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows still leased to the dead sender", leased)

	// The dead sender's leases run out within DefaultLease (20 s), not
	// the five minutes they once took: the restarted sender finishes well
	// within a minute (the deadline is generous; the state is what counts).
	b := startSender(t, url, s)
	waitSentWithin(t, db, issue, delivery.DefaultLease+40*time.Second)
	if err := b.stop(t, syscall.SIGTERM); err != nil {
		t.Errorf("second sender: %v", err)
	}
	// SPEC §7 at the default window: per connection, at most the message
	// whose data was ending and the one before it, awaiting its commit.
	checkDelivered(t, s, n, (delivery.DefaultMarkWindow+1)*senderConns)
	if leased == 0 {
		t.Errorf("no rows were leased to the killed sender: the test shows nothing about leases")
	}
}

// The opt-in bulk window re-sends at most BulkMarkWindow+1 per connection.
func TestKill9WithTheBulkWindow(t *testing.T) {
	const n = 1500
	window := "SENDER_MARK_WINDOW=" + strconv.Itoa(delivery.BulkMarkWindow)
	url, db, issue, s, a := sendingUnderWay(t, n, window)
	_ = a.stop(t, syscall.SIGKILL)
	b := startSender(t, url, s, window)
	waitSentWithin(t, db, issue, delivery.DefaultLease+40*time.Second)
	_ = b.stop(t, syscall.SIGTERM)
	checkDelivered(t, s, n, (delivery.BulkMarkWindow+1)*senderConns)
}

func TestSIGTERMFinishesInFlightAndLosesNothing(t *testing.T) {
	const n = 1500
	url, db, issue, s, a := sendingUnderWay(t, n)
	if err := a.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("sender did not exit cleanly on SIGTERM: %v", err)
	}
	var sent, leased int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE status = 'sent'),
		count(*) FILTER (WHERE status = 'pending' AND locked_until IS NOT NULL) FROM deliveries`).Scan(&sent, &leased); err != nil {
		t.Fatal(err)
	}
	if sent != s.Count() {
		t.Errorf("after SIGTERM %d deliveries are marked sent but the server received %d: in-flight messages must finish and be recorded", sent, s.Count())
	}
	if leased != 0 {
		t.Errorf("after SIGTERM %d deliveries are still claimed; unsent claims must be released", leased)
	}
	if sent == n {
		t.Fatalf("everything was sent before SIGTERM arrived; the test proves nothing")
	}

	b := startSender(t, url, s)
	waitSent(t, db, issue)
	_ = b.stop(t, syscall.SIGTERM)
	checkDelivered(t, s, n, 0)
}

func TestThreeSenderProcessesShareTheQueue(t *testing.T) {
	const n = 5000
	url, db, issue := processDB(t, n)
	s := newSink(t)
	procs := make([]*senderProc, 3)
	for i := range procs {
		procs[i] = startSender(t, url, s)
	}
	startIssue(t, db, issue)
	waitSent(t, db, issue)
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); _ = p.stop(t, syscall.SIGTERM) }()
	}
	wg.Wait()
	checkDelivered(t, s, n, 0)
	if s.Count() != n {
		t.Errorf("server received %d messages, want exactly %d", s.Count(), n)
	}
	// Each process must have done part of the work, or the test shows nothing.
	total := 0
	for _, p := range procs {
		var sent int
		if _, err := fmt.Sscanf(lastLine(p.out.String(), "sent="), "sent=%d", &sent); err != nil || sent == 0 {
			t.Errorf("sender %d sent nothing (%v): the queue was not shared", p.cmd.Process.Pid, err)
		}
		total += sent
		t.Logf("sender %d sent %d", p.cmd.Process.Pid, sent)
	}
	if total != n {
		t.Errorf("the processes report %d messages sent, want %d", total, n)
	}
}

func lastLine(out, prefix string) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], prefix) {
			return lines[i]
		}
	}
	return ""
}
