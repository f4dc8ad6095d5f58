package web

import (
	"context"
	"net"

	"bulletin/internal/archivecache"
)

// ConnContext is the http.Server's ConnContext for the handler: it keeps
// each accepted TCP connection in its requests' context, so that a cached
// archive response larger than net/http's buffer is written corked and
// leaves as one TCP segment (see archivecache.WithConn).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return archivecache.WithConn(ctx, c)
}
