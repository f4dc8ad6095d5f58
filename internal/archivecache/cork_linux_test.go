package archivecache

import (
	"net/http"
	"syscall"
	"testing"
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
