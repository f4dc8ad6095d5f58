// Package postfixtest runs a private instance of Debian's postfix for
// end-to-end tests: it listens on a free loopback port and relays every
// message to one SMTP server (the test's sink), as a production relay would.
package postfixtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Postfix is a running instance.
type Postfix struct {
	Addr string // host:port postfix accepts mail on
	dir  string
}

// Start configures and starts postfix relaying to relayAddr (host:port). It
// needs root (postfix's master runs as root and drops privileges) and the
// Debian postfix package; without either the test fails, saying so.
// Extra lines are appended to main.cf (e.g. a transport_maps routing the
// DSNs postfix generates to Bulletin's inbound listener).
func Start(t testing.TB, relayAddr string, mainCF ...string) *Postfix {
	t.Helper()
	if _, err := exec.LookPath("postfix"); err != nil {
		t.Fatal("postfixtest: postfix not installed (Debian: apt-get install -y postfix)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("postfixtest: postfix end-to-end tests must run as root")
	}
	dir, err := os.MkdirTemp("", "bulletin-postfix-")
	if err != nil {
		t.Fatal(err)
	}
	// postfix drops to its own user, which must be able to enter the folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := &Postfix{dir: dir}
	t.Cleanup(p.stop)
	for _, d := range []string{"etc", "spool", "lib"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := exec.Command("chown", "postfix", filepath.Join(dir, "lib")).Run(); err != nil {
		t.Fatalf("postfixtest: chown: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.Addr = ln.Addr().String()
	ln.Close()

	// A package installed with "No configuration" may lack master.cf;
	// the shipped prototypes are the same file.
	var master []byte
	for _, f := range []string{"/etc/postfix/master.cf", "/usr/share/postfix/master.cf.dist", "/etc/postfix/master.cf.proto"} {
		if master, err = os.ReadFile(f); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("postfixtest: no master.cf: %v", err)
	}
	// Listen on our port instead of 25.
	cf := strings.Replace(string(master), "\nsmtp      inet", "\n"+p.Addr+" inet", 1)
	if cf == string(master) {
		t.Fatal("postfixtest: /etc/postfix/master.cf has no 'smtp inet' service to move")
	}
	write(t, filepath.Join(dir, "etc/master.cf"), cf)
	write(t, filepath.Join(dir, "etc/main.cf"), fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/spool
data_directory = %[1]s/lib
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = relay.bulletin.test
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [%[2]s]:%[3]s
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_tls_security_level = none
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
alias_maps =
alias_database =
local_transport = error:local delivery disabled
message_size_limit = 20480000
%[4]s
`, dir, host(relayAddr), port(relayAddr), strings.Join(mainCF, "\n")))
	if out, err := exec.Command("postfix", "-c", filepath.Join(dir, "etc"), "start").CombinedOutput(); err != nil {
		t.Fatalf("postfixtest: postfix start: %v: %s\n%s", err, out, p.Log())
	}
	return p
}

func write(t testing.TB, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func host(addr string) string { h, _, _ := net.SplitHostPort(addr); return h }
func port(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }

// Log returns postfix's own log, for failure messages.
func (p *Postfix) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "maillog"))
	return string(b)
}

// stop stops the master and waits for it to exit before removing the
// folder, so no postfix process outlives the test.
func (p *Postfix) stop() {
	pidText, _ := os.ReadFile(filepath.Join(p.dir, "spool/pid/master.pid"))
	_ = exec.Command("postfix", "-c", filepath.Join(p.dir, "etc"), "stop").Run()
	if pid, err := strconv.Atoi(strings.TrimSpace(string(pidText))); err == nil {
		for i := 0; i < 200 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	}
	_ = os.RemoveAll(p.dir)
}
