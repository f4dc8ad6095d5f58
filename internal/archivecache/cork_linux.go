package archivecache

import "syscall"

const canCork = true

// setCork sets TCP_CORK on the socket fd to v (1 or 0). Errors are
// ignored: a socket that can't be corked is only written uncorked, and one
// that can't be uncorked is closed or sends its queue within 200 ms.
func setCork(fd uintptr, v int) {
	_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
}
