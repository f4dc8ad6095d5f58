//go:build !linux

package archivecache

const canCork = false

func setCork(fd uintptr, v int) {}
