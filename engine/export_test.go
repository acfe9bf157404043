package engine

// LockPeer holds the peer lock of app's user (which orders its peer
// deliveries and logins on this node) until unlock is called: tests make
// a node slow to deliver with it.
func (e *Engine) LockPeer(app, user string) (unlock func()) {
	pl := e.peerLock(app, user)
	pl.Lock()
	return pl.Unlock
}

// Instance is the node's key in the nodes bucket: tests delete it to make
// the other nodes take this one for dead.
func (p *NATSPresence) Instance() string { return p.instance }
