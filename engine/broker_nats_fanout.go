package engine

import (
	"context"
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// natsFanout is this node's delivery state of one channel with local
// subscribers: the core NATS subscription to the channel's republished
// messages and the last offset handed to the event handler.
type natsFanout struct {
	refs int // Subscribe calls not yet undone; under NATSBroker.mu

	mu        sync.Mutex // held while delivering, so deliveries stay in order
	ch        ChannelID
	s         *natsStream
	subj      string
	sub       *nats.Subscription
	ready     bool // delivered and seq are set
	closed    bool
	delivered uint64 // last offset handed to the handler
	seq       uint64 // its stream sequence
}

// natsWorkers is the number of delivery goroutines per broker.
const natsWorkers = 16

func (f *natsFanout) worker(n int) int {
	h := fnv.New32a()
	h.Write([]byte(f.subj))
	return int(h.Sum32() % uint32(n))
}

// work delivers the republished messages of its channels. A full queue
// drops messages (NATS counts a slow consumer); the gap fill recovers them.
func (b *NATSBroker) work(q chan *nats.Msg) {
	for {
		var m *nats.Msg
		select {
		case <-b.stop:
			return
		case m = <-q:
		}
		b.mu.Lock()
		f := b.fanBySubj[m.Subject]
		b.mu.Unlock()
		if f != nil {
			b.onLive(f, m)
		}
	}
}

func (f *natsFanout) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	if f.sub != nil {
		f.sub.Unsubscribe()
	}
}

// Subscribe implements Broker: the node subscribes to the channel's
// republished messages, then reads the channel's top, so every later
// publication reaches the handler (live, or by a gap fill).
func (b *NATSBroker) Subscribe(ch ChannelID) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*b.cfg.PublishTimeout)
	defer cancel()
	s, err := b.stream(ctx, ch.App)
	if err != nil {
		return err
	}
	b.mu.Lock()
	f := b.fans[ch]
	if f == nil {
		f = &natsFanout{ch: ch, s: s, subj: s.subject(ch.Name)}
		b.fans[ch] = f
		b.fanBySubj["sbl."+f.subj] = f
	}
	f.refs++
	b.mu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ready || f.closed {
		return nil
	}
	if f.sub == nil {
		if f.sub, err = b.nc.ChanSubscribe("sbl."+f.subj, b.workers[f.worker(len(b.workers))]); err != nil {
			b.dropFanout(ch, f)
			return unavailable(err)
		}
		if err := b.nc.FlushWithContext(ctx); err != nil {
			b.dropFanout(ch, f)
			return unavailable(err)
		}
	}
	top, seq, _, err := b.lastMsg(ctx, s, f.subj)
	if err != nil {
		b.dropFanout(ch, f)
		return err
	}
	f.delivered, f.seq, f.ready = top, seq, true
	return nil
}

// dropFanout undoes a failed Subscribe (f.mu held).
func (b *NATSBroker) dropFanout(ch ChannelID, f *natsFanout) {
	b.mu.Lock()
	if f.refs--; f.refs <= 0 && b.fans[ch] == f {
		delete(b.fans, ch)
		delete(b.fanBySubj, "sbl."+f.subj)
		f.closed = true
		if f.sub != nil {
			f.sub.Unsubscribe()
		}
	}
	b.mu.Unlock()
}

// Unsubscribe implements Broker.
func (b *NATSBroker) Unsubscribe(ch ChannelID) error {
	b.mu.Lock()
	f := b.fans[ch]
	if f == nil {
		b.mu.Unlock()
		return nil
	}
	f.refs--
	if f.refs > 0 {
		b.mu.Unlock()
		return nil
	}
	delete(b.fans, ch)
	delete(b.fanBySubj, "sbl."+f.subj)
	b.mu.Unlock()
	f.close()
	return nil
}

// onLive handles a republished (stored) publication.
func (b *NATSBroker) onLive(f *natsFanout, m *nats.Msg) {
	p, err := decodePublication(f.ch.Name, f.s.epoch, m.Header, m.Data)
	if err != nil {
		b.cfg.Logger.Error("nats broker: bad message", "subject", m.Subject, "err", err)
		return
	}
	seq, _ := strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	b.deliverLocked(f, seq, p)
}

// deliverLocal hands a publication this node just stored to its
// subscribers here, ahead of its republished copy.
func (b *NATSBroker) deliverLocal(ch ChannelID, s *natsStream, seq uint64, p *Publication) {
	b.mu.Lock()
	f := b.fans[ch]
	b.mu.Unlock()
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.s == s {
		b.deliverLocked(f, seq, p)
	}
}

// deliverLocked hands p to the handler unless it was delivered already,
// after the publications before it that this node missed.
func (b *NATSBroker) deliverLocked(f *natsFanout, seq uint64, p *Publication) {
	if f.closed || !f.ready || p.Offset <= f.delivered {
		return
	}
	if p.Offset > f.delivered+1 {
		b.fillLocked(f, p.Offset-1, seq-1)
	}
	if b.handler != nil {
		b.handler.HandlePublication(f.ch, p)
	}
	f.delivered, f.seq = p.Offset, seq
}

// fillLocked delivers the channel's publications after f.delivered up to
// offset upTo (stream sequence upToSeq at most) from the stream.
func (b *NATSBroker) fillLocked(f *natsFanout, upTo, upToSeq uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*b.cfg.PublishTimeout)
	defer cancel()
	for f.delivered < upTo {
		want := int(min(upTo-f.delivered, uint64(b.cfg.HistorySize)))
		pubs, lastSeq, err := b.readRange(ctx, f.s, f.ch.Name, f.subj, f.seq+1, upToSeq, want, upTo)
		if err != nil {
			b.cfg.Logger.Error("nats broker: gap fill", "channel", f.ch.Name, "err", err)
			return
		}
		if len(pubs) == 0 {
			break
		}
		for _, p := range pubs {
			if p.Offset > f.delivered && b.handler != nil {
				b.handler.HandlePublication(f.ch, p)
				f.delivered = p.Offset
			}
		}
		f.seq = lastSeq
	}
	if f.delivered < upTo {
		// Trimmed from the stream before this node could read them.
		b.lost.Add(upTo - f.delivered)
		b.cfg.Logger.Warn("nats broker: publications gone before delivery", "channel", f.ch.Name, "from", f.delivered+1, "to", upTo)
		f.delivered = upTo
	}
}

// catchUpLoop compares every subscribed channel with its stream every
// CatchUpInterval, and at once after a reconnect, delivering what a lost
// live copy left behind after the last publication that arrived.
func (b *NATSBroker) catchUpLoop() {
	defer close(b.done)
	t := time.NewTicker(b.cfg.CatchUpInterval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		case <-b.wake:
		}
		b.catchUp()
	}
}

func (b *NATSBroker) catchUp() {
	if b.nc.Status() != nats.CONNECTED {
		return
	}
	b.mu.Lock()
	fans := make([]*natsFanout, 0, len(b.fans))
	for _, f := range b.fans {
		fans = append(fans, f)
	}
	b.mu.Unlock()
	for _, f := range fans {
		ctx, cancel := context.WithTimeout(context.Background(), b.cfg.PublishTimeout)
		top, seq, _, err := b.lastMsg(ctx, f.s, f.subj)
		cancel()
		if err != nil {
			return
		}
		f.mu.Lock()
		if f.ready && !f.closed && top > f.delivered {
			b.fillLocked(f, top, seq)
		}
		f.mu.Unlock()
	}
}
