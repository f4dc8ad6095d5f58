package archivecache

import (
	"net"
	"net/http"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// corkOf reads TCP_CORK on the connection WithConn kept for r: 1 or 0,
// and 0 for a request without one.
func corkOf(t *testing.T, r *http.Request) int {
	raw, _ := r.Context().Value(connKey{}).(syscall.RawConn)
	if raw == nil {
		return 0
	}
	v := -1
	var gerr error
	if err := raw.Control(func(fd uintptr) { v, gerr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK) }); err != nil || gerr != nil {
		t.Errorf("read TCP_CORK: %v %v", err, gerr)
	}
	return v
}

// TestCorkedResponseLeavesAsOneSegment counts, on the client, the TCP
// segments with data that carry 50 responses of a 23 KB entry: one each
// when corked, where net/http's two writes leave as two without the cork.
func TestCorkedResponseLeavesAsOneSegment(t *testing.T) {
	const n = 50
	e := entry(string(corkBody(23_000)))
	corked := startServer(t, http.HandlerFunc(e.Serve), WithConn)
	plain := startServer(t, http.HandlerFunc(e.Serve), nil)
	cases := make([]corkCase, n)
	for i := range cases {
		cases[i] = corkCase{"GET", "/", "GET", nil}
	}
	segments := func(addr string) int {
		var segs uint32
		rawExchangeOn(t, addr, cases, func(c *net.TCPConn) {
			info, err := tcpInfo(c)
			if err != nil {
				t.Fatal(err)
			}
			segs = info.Data_segs_in - segs
		})
		return int(segs)
	}
	c, p := segments(corked), segments(plain)
	t.Logf("data segments for %d responses: %d corked, %d not", n, c, p)
	if c > n+n/10 || p < c+n/2 {
		t.Errorf("data segments for %d responses: %d corked, %d not; want about %d and %d", n, c, p, n, 2*n)
	}
}

func tcpInfo(c *net.TCPConn) (*unix.TCPInfo, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	var info *unix.TCPInfo
	var ierr error
	if err := raw.Control(func(fd uintptr) { info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) }); err != nil {
		return nil, err
	}
	return info, ierr
}
