package engine

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The stored notice closes the race between a peer message and its
// recipient's login on another node. The sender stores the message when no
// node delivered it live; but the login may have started listening just
// after the live attempt and read the stored messages just before the
// store, and the message would wait for the next login. So after storing,
// the sender publishes a notice (header Sb-Stored: the stream sequence) on
// the user's live subject. Each connection remembers the highest stored
// sequence it was sent (conn.peerSeq); a node that gets a notice sends each
// of the user's connections there, in order, the stored messages after
// its cursor. Login replay and notices run under the user's peer lock, so
// whichever comes first, each stored message reaches a connection once.
const hdrStored = "Sb-Stored"

// noticeTimeout bounds the reads of the stream that one notice makes.
const noticeTimeout = 5 * time.Second

// notifyStored publishes the stored notice of message seq for user to.
// Best effort: without it the message still waits for the next login.
func (p *NATSPeers) notifyStored(app, to string, seq uint64) {
	m := nats.NewMsg(peerSubject(peerLivePrefix, app, to))
	m.Header.Set(hdrOrigin, p.instance)
	m.Header.Set(hdrStored, strconv.FormatUint(seq, 10))
	p.nc.PublishMsg(m)
}

// storedNotice sends each of the user's connections on this node that
// has not had stored message seq the stored messages after its cursor.
func (p *NATSPeers) storedNotice(app, user string, seq uint64) {
	pl := p.e.peerLock(app, user)
	pl.Lock()
	defer pl.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), noticeTimeout)
	defer cancel()
	now := p.e.now()
	for _, c := range p.e.hub.userConns(app, user) {
		if c.peerSeq >= seq {
			continue
		}
		if err := p.replayAfter(ctx, c, now); err != nil {
			p.e.log.Error("deliver stored peer messages", "app", app, "err", err)
		}
	}
}

// replayAfter sends c the user's stored messages after c.peerSeq, oldest
// first, one direct read each (a notice finds one or a few).
func (p *NATSPeers) replayAfter(ctx context.Context, c *conn, now time.Time) error {
	oldest := now.Add(-p.cfg.TTL).UnixMilli()
	subj := peerSubject(peerStorePrefix, c.app.ID, c.user)
	for {
		m, err := p.stream.GetMsg(ctx, c.peerSeq+1, jetstream.WithGetMsgSubject(subj))
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
			return nil
		case err != nil:
			return unavailable(err)
		}
		if !p.deliverStored(ctx, c, m.Sequence, m.Data, oldest) {
			return nil
		}
	}
}

// deliverStored sends c stored message seq with body data, unless it is
// older than oldest (Unix ms) or its live copy already reached the user
// here (the stored copy is then deleted), and moves c's cursor past it.
// false when c is closed.
func (p *NATSPeers) deliverStored(ctx context.Context, c *conn, seq uint64, data []byte, oldest int64) bool {
	c.peerSeq = max(c.peerSeq, seq)
	var sp storedPeer
	if err := json.Unmarshal(data, &sp); err != nil {
		p.e.log.Error("stored peer message", "app", c.app.ID, "seq", seq, "err", err)
		return true
	}
	if sp.Time <= oldest {
		return true
	}
	if sp.LiveID != "" && p.deliveredLive(c.app.ID, c.user, sp.LiveID) {
		if err := p.stream.DeleteMsg(ctx, seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			p.e.log.Warn("delete stored copy of a delivered peer message", "app", c.app.ID, "err", err)
		}
		return true
	}
	if !c.send(encodeFrame(peerPush{Type: "peer", From: sp.From, Data: sp.Data, Time: sp.Time, MessageID: int64(seq), Offline: true})) {
		return false
	}
	c.e.stats.offlineSends.Add(1)
	return true
}
