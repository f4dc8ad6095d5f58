// Package pgserver starts a throwaway PostgreSQL server from the machine's
// own binaries (initdb, postgres) for the demo and the tests. PostgreSQL
// refuses to run as root, so as root the server runs as the "postgres" user.
package pgserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoBinaries is returned when initdb or postgres cannot be found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, postgres) not found: " +
	"install them (Debian: apt-get install -y postgresql) or set DATABASE_URL to a server you have")

// Options configure Start.
type Options struct {
	// DataDir keeps the cluster there across runs; empty means a temporary
	// directory removed by Stop.
	DataDir string
	// Fast turns off fsync and friends: for tests, never for kept data.
	Fast bool
	// BinDir overrides the search for the server binaries.
	BinDir string
}

// Server is a running throwaway PostgreSQL.
type Server struct {
	URL     string // postgres://postgres@127.0.0.1:PORT/postgres
	Port    int
	dir     string // run dir (socket, log, temporary data), removed by Stop
	dataDir string
	cmd     *exec.Cmd
	done    chan error
	bin     string
	cred    *syscall.Credential
	fast    bool
}

// FindBinDir returns the folder holding initdb and postgres.
func FindBinDir() (string, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(versions, func(i, j int) bool { return pgVersion(versions[i]) > pgVersion(versions[j]) })
	dirs = append(dirs, versions...)
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// Start initialises (when needed) and starts a server on a free loopback
// port, and waits until it accepts connections.
func Start(ctx context.Context, opt Options) (*Server, error) {
	bin := opt.BinDir
	if bin != "" && (!isExec(filepath.Join(bin, "initdb")) || !isExec(filepath.Join(bin, "postgres"))) {
		return nil, ErrNoBinaries
	}
	if bin == "" {
		var err error
		if bin, err = FindBinDir(); err != nil {
			return nil, err
		}
	}
	removeStale(os.TempDir())
	s := &Server{}
	// The run dir holds the socket and log, and the data too unless it is
	// kept elsewhere; it is always removed by Stop.
	dir, err := os.MkdirTemp("", "bulletin-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	s.dir, s.dataDir = dir, filepath.Join(dir, "data")
	if opt.DataDir != "" {
		abs, err := filepath.Abs(opt.DataDir)
		if err != nil {
			s.cleanup()
			return nil, fmt.Errorf("pgserver: %w", err)
		}
		s.dataDir = abs
	}
	cred, err := credential()
	if err != nil {
		s.cleanup()
		return nil, err
	}
	if err := chown(s.dir, cred); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("pgserver: chown %s: %w", s.dir, err)
	}
	if err := s.initdb(bin, cred); err != nil {
		s.cleanup()
		return nil, err
	}
	s.bin, s.cred, s.fast = bin, cred, opt.Fast
	port, err := freePort()
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("pgserver: free port: %w", err)
	}
	if err := s.start(ctx, port); err != nil {
		s.cleanup()
		return nil, err
	}
	return s, nil
}

// credential returns the postgres user's ids when running as root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgserver: running as root needs a 'postgres' user to run the server as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func chown(path string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	return os.Chown(path, int(cred.Uid), int(cred.Gid))
}

func (s *Server) initdb(bin string, cred *syscall.Credential) error {
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); err == nil {
		return nil // an existing cluster: resume it
	}
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	if err := chown(s.dataDir, cred); err != nil {
		return fmt.Errorf("pgserver: chown %s: %w", s.dataDir, err)
	}
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", s.dataDir, "-A", "trust", "-U", "postgres",
		"--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		hint := ""
		if cred != nil && strings.Contains(string(out), "Permission denied") {
			hint = " (as root the server runs as the postgres user, who must be able to reach " + s.dataDir + "; pick a folder under /tmp or /var/lib)"
		}
		return fmt.Errorf("pgserver: initdb%s: %w: %s", hint, err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) start(ctx context.Context, port int) error {
	bin, cred, fast := s.bin, s.cred, s.fast
	sockDir := s.dir
	args := []string{"-D", s.dataDir, "-p", strconv.Itoa(port), "-k", sockDir,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"}
	if fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logPath := filepath.Join(sockDir, "postgres-"+strconv.Itoa(port)+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	defer logf.Close()
	s.done = make(chan error, 1)
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Pdeathsig: if our process dies (kill -9, a panicking test binary) the
	// server gets a fast shutdown instead of lingering.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGINT, Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("pgserver: start postgres: %w", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	s.Port = port
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)

	deadline := time.Now().Add(60 * time.Second)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(cctx, s.URL)
		cancel()
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case werr := <-s.done:
			s.done <- werr
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgserver: postgres exited: %v: %s", werr, tail(log, 2000))
		case <-ctx.Done():
			s.stopProcess()
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stopProcess()
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgserver: postgres did not accept connections within 60s: %s", tail(log, 2000))
		}
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// stopProcess asks for a fast shutdown and waits for the server to exit.
func (s *Server) stopProcess() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

func (s *Server) cleanup() {
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// removeStale removes run dirs left by processes that died without
// cleaning up (a panicking test binary, kill -9): Pdeathsig stops their
// server, but nobody removes the folder. A dir is stale when its server is
// gone (no postmaster.pid in its data, no socket lock, which a server with
// its data kept elsewhere still has here) and it is older than any
// start-up takes.
func removeStale(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, "bulletin-pg-*"))
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil || time.Since(st.ModTime()) < 10*time.Minute {
			continue
		}
		pids, _ := filepath.Glob(filepath.Join(d, "*", "postmaster.pid"))
		locks, _ := filepath.Glob(filepath.Join(d, ".s.PGSQL.*.lock"))
		if len(pids) == 0 && len(locks) == 0 {
			_ = os.RemoveAll(d)
		}
	}
}

// Restart stops the server and starts it again on the same port, as an
// operator's restart would; clients see their connections drop.
func (s *Server) Restart(ctx context.Context) error {
	s.stopProcess()
	return s.start(ctx, s.Port)
}

// Kill stops the server with SIGKILL-like abruptness (immediate shutdown),
// for fault tests; Restart brings it back.
func (s *Server) Kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGQUIT)
		<-s.done
		s.cmd = nil
	}
}

// Stop shuts the server down and removes a temporary data directory.
func (s *Server) Stop() {
	s.stopProcess()
	s.cleanup()
}
