package inbound

// SetAfterStore lets a test stop a poll between storing a message and
// marking it seen, where a crash would.
func SetAfterStore(p *Poller, f func(uid uint32) bool) { p.afterStore = f }
