package pgserver

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Without server binaries the error says what to install, and nothing runs.
func TestMissingBinaries(t *testing.T) {
	_, err := Start(context.Background(), Options{BinDir: t.TempDir()})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y postgresql") || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("error does not say how to get PostgreSQL: %v", err)
	}
}

// A kept data directory survives Stop and is resumed by the next Start:
// this is what 'bulletin demo --data-dir' relies on. Restart keeps the port.
func TestKeptDataDirResumesAndRestart(t *testing.T) {
	ctx := context.Background()
	// Not t.TempDir(): as root the server runs as postgres, who cannot
	// enter root's 0700 folders.
	top, err := os.MkdirTemp("", "pgserver-test-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(top, 0o755)
	t.Cleanup(func() { os.RemoveAll(top) })
	dir := top + "/pg"
	s, err := Start(ctx, Options{DataDir: dir, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(sql string) {
		t.Helper()
		c, err := pgx.Connect(ctx, s.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)`)
	port := s.Port
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Port != port {
		t.Errorf("restart moved the port from %d to %d", port, s.Port)
	}
	exec(`SELECT 1 FROM kept`)
	s.Stop()
	if _, err := os.Stat(dir + "/PG_VERSION"); err != nil {
		t.Fatalf("kept data dir was removed: %v", err)
	}
	s2, err := Start(ctx, Options{DataDir: dir, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Stop()
	c, err := pgx.Connect(ctx, s2.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var v int
	if err := c.QueryRow(ctx, `SELECT id FROM kept`).Scan(&v); err != nil || v != 42 {
		t.Fatalf("resumed cluster lost data: v=%d err=%v", v, err)
	}
}

// A temporary cluster leaves no folder behind.
func TestTemporaryDirRemoved(t *testing.T) {
	s, err := Start(context.Background(), Options{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := s.dir
	s.Stop()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s still there after Stop (err %v)", dir, err)
	}
}

// Folders left by a process that died are removed by the next start; a
// fresh one (still starting) and one with a live server are kept.
func TestRemoveStale(t *testing.T) {
	tmp := t.TempDir()
	old := time.Now().Add(-time.Hour)
	mk := func(name string, pid bool, mod time.Time) string {
		d := tmp + "/" + name
		os.MkdirAll(d+"/data", 0o755)
		if pid {
			os.WriteFile(d+"/data/postmaster.pid", []byte("1"), 0o644)
		}
		os.Chtimes(d, mod, mod)
		return d
	}
	dead := mk("bulletin-pg-dead", false, old)
	live := mk("bulletin-pg-live", true, old)
	young := mk("bulletin-pg-young", false, time.Now())
	kept := mk("bulletin-pg-kept", false, old) // data kept elsewhere: only the socket lock is here
	os.WriteFile(kept+"/.s.PGSQL.5432.lock", []byte("1"), 0o644)
	os.Chtimes(kept, old, old)
	other := mk("something-else", false, old)
	removeStale(tmp)
	for d, want := range map[string]bool{dead: false, live: true, young: true, kept: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: exists=%v, want %v", d, err == nil, want)
		}
	}
}
