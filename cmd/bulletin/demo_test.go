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
	"sync"
	"syscall"
	"testing"
	"time"
)

// The demo binary, run as a user would with no configuration at all, starts
// its own PostgreSQL and SMTP capture, serves /healthz, sends its history
// through the capture (checkDemoHistory, demo_history_test.go), and on
// Ctrl-C leaves no process and no folder behind.
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
	stderrPipe, _ := cmd.StderrPipe()
	var stderr syncBuilder
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	addrc, tokenc, historyc := make(chan string, 1), make(chan string, 1), make(chan struct{})
	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() {
		defer pipes.Done()
		addr := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
		token := regexp.MustCompile(`Editor token: (\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
			if m := token.FindStringSubmatch(sc.Text()); m != nil {
				tokenc <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stderrPipe)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), `msg="`+demoHistoryReady+`"`) {
				close(historyc)
			}
		}
		io.Copy(io.Discard, stderrPipe)
	}()
	go func() { pipes.Wait(); exited <- cmd.Wait() }() // Wait closes the pipes: read them to the end first

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
	var token string
	select {
	case token = <-tokenc: // printed with the address
	case <-time.After(time.Minute):
		t.Error("demo printed no editor token")
	}
	select {
	case <-historyc:
	case err := <-exited:
		t.Fatalf("demo exited before its history was sent: %v\n%s", err, stderr.String())
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("demo logged no %q within 2 minutes\n%s", demoHistoryReady, stderr.String())
	}
	// A subtest: a failed check still stops the demo below.
	t.Run("history", func(t *testing.T) { checkDemoHistory(t, "http://"+addr, token) })

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

// syncBuilder is a strings.Builder two goroutines may use.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) WriteString(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(v)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
