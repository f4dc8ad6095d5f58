package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"bulletin/internal/fixture"
	"bulletin/internal/inbound"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
)

// BenchmarkInboundServe10000Bounces runs `bulletin serve --roles inbound`
// as its own process, sends it 10,000 DSNs over 16 connections (each
// stored and acted on before its 250) and reports the rate and that
// process's peak RSS (VmHWM), next to its RSS once listening.
//
//	go test -run '^$' -bench InboundServe10000 -benchtime 1x ./cmd/bulletin/
func BenchmarkInboundServe10000Bounces(b *testing.B) {
	const n, conns = 10000, 16
	bin := filepath.Join(b.TempDir(), "bulletin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for range b.N {
		b.StopTimer()
		ctx := context.Background()
		url := pgtest.NewURL(b)
		db, err := postgres.Open(ctx, url, 2)
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO newsletters (slug, name, is_default) VALUES ('weekly', 'Weekly', true)`,
			`INSERT INTO issues (newsletter_id, number, status) SELECT id, 1, 'sent' FROM newsletters`,
			fmt.Sprintf(`INSERT INTO subscribers (email, token) SELECT 'r'||i||'@example.com', 'tok'||i||'-0123456789abcdef' FROM generate_series(1, %d) i`, n),
			`INSERT INTO deliveries (issue_id, subscriber_id, status) SELECT 1, id, 'sent' FROM subscribers ORDER BY id`,
			fmt.Sprintf(`INSERT INTO delivery_counts (issue_id, total, sent) VALUES (1, %d, %d)`, n, n),
		} {
			if _, err := db.Pool.Exec(ctx, q); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, "serve", "--roles", "inbound", "--database-url", url,
			"--inbound-domain", "in.example.test", "--inbound-addr", addr, "--log-level", "warn")
		cmd.Env = cleanEnv()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for i := 0; ; i++ {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				break
			}
			if i == 600 {
				cmd.Process.Kill()
				b.Fatal("bulletin serve --roles inbound did not listen within a minute")
			}
			time.Sleep(100 * time.Millisecond)
		}
		var secret []byte
		if err := db.Pool.QueryRow(ctx, `SELECT secret FROM app_secrets WHERE name = 'verp'`).Scan(&secret); err != nil {
			b.Fatal(err)
		}
		a := inbound.Addresses{Domain: "in.example.test", Secret: secret}
		base := fixture.ProcKB(cmd.Process.Pid, "VmRSS")
		b.StartTimer()
		failed := fixture.SendBounces(addr, a, 1, n, conns) // issue 1, as inserted above
		b.StopTimer()
		peak, after := fixture.ProcKB(cmd.Process.Pid, "VmHWM"), fixture.ProcKB(cmd.Process.Pid, "VmRSS")
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Errorf("serve after SIGTERM: %v", err)
		}
		if failed != nil {
			b.Fatal(failed)
		}
		var got int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE status = 'failed'`).Scan(&got); err != nil || got != n {
			b.Fatalf("%d of %d deliveries failed (err %v)", got, n, err)
		}
		db.Close()
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		b.ReportMetric(float64(peak)/1024, "peak_rss_MB")
		b.ReportMetric(float64(base)/1024, "rss_listening_MB")
		b.ReportMetric(float64(after)/1024, "rss_after_MB")
	}
}
