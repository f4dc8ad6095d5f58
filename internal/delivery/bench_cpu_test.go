package delivery_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuClock reads CPU time used so far by this process and by every
// PostgreSQL process, so a benchmark can say where each message's CPU goes.
type cpuClock struct{ self, pg time.Duration }

func readCPU() cpuClock {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	c := cpuClock{self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	for _, p := range ourPostgres() {
		c.pg += p.cpu
	}
	return c
}

type pgProc struct {
	pid, ppid int
	cpu       time.Duration
}

// ourPostgres lists the PostgreSQL processes of this test process.
func ourPostgres() []pgProc {
	// Our PostgreSQL is the postgres child of this process (pgtest's
	// throwaway server) and that postmaster's children; other servers on
	// the machine are not ours.
	procs := map[int]pgProc{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(b), "(postgres)") {
			continue
		}
		pid, _ := strconv.Atoi(strings.Fields(string(b))[0])
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		if len(fields) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		ut, _ := strconv.Atoi(fields[11])
		st, _ := strconv.Atoi(fields[12])
		procs[pid] = pgProc{pid, ppid, time.Duration(ut+st) * 10 * time.Millisecond} // USER_HZ = 100
	}
	self := os.Getpid()
	var ours []pgProc
	for _, p := range procs {
		if parent, ok := procs[p.ppid]; p.ppid == self || ok && parent.ppid == self {
			ours = append(ours, p)
		}
	}
	return ours
}

func (c cpuClock) since(start cpuClock) cpuClock {
	return cpuClock{self: c.self - start.self, pg: c.pg - start.pg}
}
