package engine

import (
	"sync"
	"sync/atomic"
)

// subscription is one connection's subscription to one channel.
//
// While recovering it buffers live publications, so the subscribe reply and
// the recovered history can be queued first; then it flushes the buffer,
// skipping what history already covered. With ack it keeps sent
// publications until acknowledged and resends them after AckTimeout.
type subscription struct {
	c        *conn
	ch       ChannelID
	ack      bool
	presence bool
	// announced is set when OnSubscribe saw s, so OnUnsubscribe sees its end.
	announced atomic.Bool

	// presenceHeld, with cluster presence, holds back the presence pushes
	// to this subscriber (in heldPresence) until the reply of its
	// subscribe or set_state went out: a reply comes before the pushes its
	// request caused.
	presenceHeld atomic.Bool
	heldMu       sync.Mutex
	heldPresence []wsFrame

	mu         sync.Mutex
	recovering bool
	buf        []*Publication
	unacked    []pendingPub
}

type pendingPub struct {
	p    *Publication
	sent int64 // Unix nanoseconds of the last send
}

// sendPresence queues a presence push, or holds it (presenceHeld).
func (s *subscription) sendPresence(frame wsFrame) {
	if s.presenceHeld.Load() {
		s.heldMu.Lock()
		held := s.presenceHeld.Load()
		if held {
			s.heldPresence = append(s.heldPresence, frame)
		}
		s.heldMu.Unlock()
		if held {
			return
		}
	}
	s.c.send(frame)
}

// holdPresence starts holding presence pushes (cluster presence only).
func (s *subscription) holdPresence() {
	if s.c.e.clusterPresence && s.presence {
		s.presenceHeld.Store(true)
	}
}

// releasePresence sends the held pushes, in order, and stops holding.
func (s *subscription) releasePresence() {
	if !s.presenceHeld.Load() {
		return
	}
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	for _, f := range s.heldPresence {
		s.c.send(f)
	}
	s.heldPresence = nil
	s.presenceHeld.Store(false)
}

// deliver is called by the hub for every publication in the channel.
func (s *subscription) deliver(p *Publication) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recovering {
		if len(s.buf) >= s.c.e.limits.SendQueueLen {
			s.c.e.stats.slowConsumers.Add(1)
			s.c.closeWith(CloseSlowConsumer, "slow consumer: recovery buffer full")
			return
		}
		s.buf = append(s.buf, p)
		return
	}
	s.sendLocked(p)
}

func (s *subscription) sendLocked(p *Publication) {
	if s.ack && len(s.unacked) >= s.c.e.limits.MaxUnacked {
		s.c.e.stats.slowConsumers.Add(1)
		s.c.closeWith(CloseSlowConsumer, "slow consumer: too many unacknowledged publications")
		return
	}
	if !s.c.sendPub(p) {
		return
	}
	s.c.e.stats.deliveries.Add(1)
	if s.ack {
		s.unacked = append(s.unacked, pendingPub{p: p, sent: s.c.e.now().UnixNano()})
	}
}

// finishRecovery queues the recovered publications, then the buffered live
// ones newer than top, and switches to live delivery. The caller has queued
// the subscribe reply already, under s.mu, so the order is reply, recovered,
// live.
func (s *subscription) finishRecoveryLocked(recovered []*Publication, top uint64) {
	for _, p := range recovered {
		s.c.usage.addDue() // live ones were counted when published (hub.go)
		s.sendLocked(p)
		top = max(top, p.Offset)
	}
	for _, p := range s.buf {
		if p.Offset > top {
			s.sendLocked(p)
			top = p.Offset
		}
	}
	s.buf = nil
	s.recovering = false
}

// acked drops pending publications up to offset.
func (s *subscription) acked(offset uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := 0
	for i < len(s.unacked) && s.unacked[i].p.Offset <= offset {
		i++
	}
	if i > 0 {
		clear(s.unacked[:i])
		s.unacked = s.unacked[i:]
		if len(s.unacked) == 0 {
			s.unacked = nil
		}
	}
}

// redeliver resends publications unacknowledged for AckTimeout.
func (s *subscription) redeliver(now int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	timeout := int64(s.c.e.limits.AckTimeout)
	for i := range s.unacked {
		u := &s.unacked[i]
		if now-u.sent < timeout {
			continue
		}
		if !s.c.send(u.p.frame) {
			return
		}
		u.sent = now
		s.c.e.stats.redeliveries.Add(1)
		s.c.e.stats.deliveries.Add(1)
	}
}
