// Package dovecottest runs a private instance of Debian's dovecot-imapd for
// tests: IMAP without TLS on a free loopback port, one user, Maildir
// storage in a temporary folder. Tests put messages in place with Deliver
// and read flags back with Flags.
package dovecottest

import (
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Dovecot is a running instance.
type Dovecot struct {
	Addr     string         // host:port of the IMAP listener (STARTTLS offered with TLS)
	TLSAddr  string         // host:port of the IMAPS listener; "" without TLS
	CA       *x509.CertPool // trusts the instance's certificate (for 127.0.0.1)
	User     string
	Password string
	dir      string
	cmd      *exec.Cmd
	seq      atomic.Int64
	uid, gid int
}

// Start configures and starts dovecot without TLS. It needs the Debian
// dovecot-imapd package and root (dovecot switches to its own users);
// without either the test fails, saying so.
func Start(t testing.TB) *Dovecot {
	t.Helper()
	return start(t, false)
}

// StartTLS starts dovecot with a fresh self-signed certificate for
// 127.0.0.1: IMAPS on TLSAddr, STARTTLS on Addr.
func StartTLS(t testing.TB) *Dovecot {
	t.Helper()
	return start(t, true)
}

func start(t testing.TB, withTLS bool) *Dovecot {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		t.Fatal("dovecottest: dovecot not installed (Debian: apt-get install -y dovecot-imapd)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("dovecottest: dovecot tests must run as root")
	}
	dir, err := os.MkdirTemp("", "bulletin-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := &Dovecot{dir: dir, User: "bulletin", Password: "secret-" + strconv.Itoa(os.Getpid())}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d.Addr = ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(d.Addr)
	sslConf, tlsPort := "ssl = no", "0"
	if withTLS {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		d.TLSAddr = ln.Addr().String()
		ln.Close()
		_, tlsPort, _ = net.SplitHostPort(d.TLSAddr)
		d.CA = writeCert(t, dir)
		sslConf = fmt.Sprintf("ssl = yes\nssl_cert = <%[1]s/cert.pem\nssl_key = <%[1]s/key.pem", dir)
	}
	// Dovecot refuses mail access as root: mail belongs to its own user.
	u, err := user.Lookup("dovecot")
	if err != nil {
		t.Fatalf("dovecottest: no dovecot user (made by the Debian package): %v", err)
	}
	d.uid, _ = strconv.Atoi(u.Uid)
	d.gid, _ = strconv.Atoi(u.Gid)
	for _, sub := range []string{"run", "mail"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "mail"), d.uid, d.gid); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "passwd"), fmt.Sprintf("%s:{PLAIN}%s:0:0::%s/mail/%s::\n", d.User, d.Password, dir, d.User))
	write(t, filepath.Join(dir, "dovecot.conf"), fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/run
instance_name = bulletin-%[2]s
%[5]s
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:%[1]s/mail/%%u
mail_uid = %[3]d
mail_gid = %[4]d
first_valid_uid = %[3]d
log_path = %[1]s/dovecot.log
passdb {
  driver = passwd-file
  args = scheme=PLAIN %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[3]d gid=%[4]d home=%[1]s/mail/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]s
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[6]s
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`, dir, port, d.uid, d.gid, sslConf, tlsPort))
	d.cmd = exec.Command(bin, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	d.cmd.Stdout, d.cmd.Stderr = os.Stderr, os.Stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("dovecottest: start: %v", err)
	}
	t.Cleanup(d.stop)
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", d.Addr, time.Second)
		if err == nil && d.TLSAddr != "" {
			c.Close()
			c, err = net.DialTimeout("tcp", d.TLSAddr, time.Second)
		}
		if err == nil {
			c.Close()
			break
		}
		if i == 300 {
			t.Fatalf("dovecottest: dovecot does not listen on %s: %v\n%s", d.Addr, err, d.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return d
}

func write(t testing.TB, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Deliver puts raw into the user's INBOX as a new, unseen message, as a
// local delivery agent would: written under tmp/, then renamed into new/.
func (d *Dovecot) Deliver(t testing.TB, raw []byte) {
	t.Helper()
	box := filepath.Join(d.dir, "mail", d.User)
	for _, p := range []string{box, filepath.Join(box, "tmp"), filepath.Join(box, "new"), filepath.Join(box, "cur")} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, d.uid, d.gid); err != nil {
			t.Fatal(err)
		}
	}
	name := fmt.Sprintf("%d.M%dP%d.bulletin", time.Now().Unix(), d.seq.Add(1), os.Getpid())
	tmp := filepath.Join(box, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(tmp, d.uid, d.gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(box, "new", name)); err != nil {
		t.Fatal(err)
	}
}

// Seen counts the INBOX's messages marked seen, from the Maildir itself
// (the S flag in a cur/ file name), and all of them.
func (d *Dovecot) Seen(t testing.TB) (seen, total int) {
	t.Helper()
	box := filepath.Join(d.dir, "mail", d.User)
	for _, sub := range []string{"new", "cur"} {
		names, _ := filepath.Glob(filepath.Join(box, sub, "*"))
		for _, n := range names {
			total++
			if _, flags, ok := strings.Cut(filepath.Base(n), ":2,"); ok && strings.Contains(flags, "S") {
				seen++
			}
		}
	}
	return seen, total
}

// Log returns dovecot's log, for failure messages.
func (d *Dovecot) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	return string(b)
}

// stop ends the master and waits for it, so no dovecot process outlives
// the test, then removes the folder.
func (d *Dovecot) stop() {
	if d.cmd.Process != nil {
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = d.cmd.Process.Kill()
			<-done
		}
	}
	_ = os.RemoveAll(d.dir)
}
