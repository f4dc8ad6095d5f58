package dovecottest

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

// The instance answers IMAP and logs the test user in.
func TestStartAndLogin(t *testing.T) {
	d := Start(t)
	d.Deliver(t, []byte("Subject: hi\r\n\r\nhello\r\n"))
	c, err := net.Dial("tcp", d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	greeting, _ := r.ReadString('\n')
	if !strings.HasPrefix(greeting, "* OK") {
		t.Fatalf("greeting %q", greeting)
	}
	c.Write([]byte("a1 LOGIN " + d.User + " " + d.Password + "\r\na2 SELECT INBOX\r\n"))
	var exists bool
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%v\n%s", err, d.Log())
		}
		if strings.Contains(line, " 1 EXISTS") {
			exists = true
		}
		if strings.HasPrefix(line, "a1 NO") || strings.HasPrefix(line, "a2 NO") {
			t.Fatalf("%q\n%s", line, d.Log())
		}
		if strings.HasPrefix(line, "a2 OK") {
			break
		}
	}
	if !exists {
		t.Error("the delivered message is not in INBOX")
	}
	if seen, total := d.Seen(t); seen != 0 || total != 1 {
		t.Errorf("seen %d of %d", seen, total)
	}
}
