package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The demo binary, run as a user would with no configuration at all, starts
// its own PostgreSQL and SMTP capture, serves /healthz, and on Ctrl-C leaves
// no process and no folder behind.
func TestDemoBinaryStartsAndCleansUp(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bulletin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// A private TMPDIR shows what the demo leaves behind. The throwaway
	// server runs as the postgres user when we are root, so it must be
	// able to enter it.
	tmp, err := os.MkdirTemp("", "demo-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	os.Chmod(tmp, 0o755)

	cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--smtp-addr", "127.0.0.1:0", "--inbound-addr", "127.0.0.1:0")
	cmd.Env = append(cleanEnv(), "TMPDIR="+tmp)
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	addrc := make(chan string, 1)
	var printed strings.Builder
	go func() {
		re := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			printed.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { exited <- cmd.Wait() }()

	var addr string
	select {
	case addr = <-addrc:
	case err := <-exited:
		t.Fatalf("demo exited early: %v\n%s", err, stderr.String())
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("demo printed no address within 2 minutes\n%s", stderr.String())
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz = %d", resp.StatusCode)
	}

	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("demo exit after Ctrl-C: %v\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("demo did not stop within a minute of Ctrl-C")
	}
	left, _ := os.ReadDir(tmp)
	for _, e := range left {
		t.Errorf("demo left %s behind", e.Name())
	}
	if out, _ := exec.Command("pgrep", "-f", tmp).Output(); len(out) > 0 {
		t.Errorf("processes still running from the demo's folder: %s", out)
	}
}

// cleanEnv is the environment without DATABASE_URL, so the demo takes its
// own throwaway server as on a fresh machine.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "BULLETIN_") {
			env = append(env, kv)
		}
	}
	return env
}
