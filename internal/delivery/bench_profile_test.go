package delivery_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// startProfiles, when BULLETIN_BENCH_PROFILE names a folder, starts a CPU
// profile of this process (NAME-go.pprof) and a perf recording of its
// PostgreSQL processes (NAME-pg.perf); the returned func stops both.
func startProfiles(b testing.TB, name string) func() {
	dir := os.Getenv("BULLETIN_BENCH_PROFILE")
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, name+"-go.pprof"))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	var pids []string
	for _, p := range ourPostgres() {
		pids = append(pids, strconv.Itoa(p.pid))
	}
	perf := exec.Command("perf", "record", "-q", "-g", "-o", filepath.Join(dir, name+"-pg.perf"), "-p", strings.Join(pids, ","))
	if err := perf.Start(); err != nil {
		b.Logf("perf (PostgreSQL profile) not started: %v", err)
		perf = nil
	}
	return func() {
		// Which PostgreSQL process was what (backend, walwriter, autovacuum).
		if out, err := exec.Command("ps", "-o", "pid,cputime,args", "-p", strings.Join(pids, ",")).Output(); err == nil {
			_ = os.WriteFile(filepath.Join(dir, name+"-pg.ps"), out, 0o644)
		}
		pprof.StopCPUProfile()
		_ = f.Close()
		if perf != nil {
			_ = perf.Process.Signal(syscall.SIGINT)
			_ = perf.Wait()
		}
	}
}
