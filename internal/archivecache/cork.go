package archivecache

import (
	"context"
	"net"
	"net/http"
	"syscall"
)

// A cached body larger than net/http's 4 KiB connection buffer leaves in
// two write calls (the header with the first ~3.7 KB, then the rest), and
// with TCP_NODELAY, Go's default, as two TCP segments: the reader wakes
// twice per response. Serve corks the socket around such a body (TCP_CORK
// on Linux) so that both writes leave as one segment when it is uncorked.

// connKey keys the context value WithConn stores: the syscall.RawConn of
// the connection, made once per connection.
type connKey struct{}

// WithConn returns ctx carrying c for Serve to cork. It has the signature
// of http.Server.ConnContext. Only a plain TCP connection is kept; a TLS
// connection (and so HTTP/2 over TLS), a Unix socket or any other net.Conn
// is served without corking, as is everything on a system without TCP_CORK.
func WithConn(ctx context.Context, c net.Conn) context.Context {
	tc, ok := c.(*net.TCPConn)
	if !ok || !canCork {
		return ctx
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, raw)
}

// writeCorked writes body with the connection of r corked, when there is
// one and r is HTTP/1 (an HTTP/2 stream's bytes are written by another
// goroutine), and flushes it before uncorking, so that the header and the
// whole body leave together. It reports false, having written nothing,
// when the connection can't be corked.
func writeCorked(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if r.ProtoMajor != 1 {
		return false
	}
	raw, _ := r.Context().Value(connKey{}).(syscall.RawConn)
	if raw == nil || raw.Control(corkOn) != nil {
		return false
	}
	_, _ = w.Write(body)
	// net/http writes a body larger than its buffer before Write returns,
	// except a tail shorter than the buffer, kept for when the handler
	// returns: flush it while still corked. An error here is the client's
	// going away, which net/http sees too.
	_ = http.NewResponseController(w).Flush()
	// Clearing the cork sends what is queued. Should it fail (the
	// connection is gone), the kernel sends the queue within 200 ms anyway.
	_ = raw.Control(corkOff)
	return true
}

func corkOn(fd uintptr)  { setCork(fd, 1) }
func corkOff(fd uintptr) { setCork(fd, 0) }
