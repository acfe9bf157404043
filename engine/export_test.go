package engine

// LockPeer holds the peer lock of app's user (which orders its peer
// deliveries and logins on this node) until unlock is called: tests make
// a node slow to deliver with it.
func (e *Engine) LockPeer(app, user string) (unlock func()) {
	pl := e.peerLock(app, user)
	pl.Lock()
	return pl.Unlock
}
