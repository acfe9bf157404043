package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var _ Broker = (*NATSBroker)(nil)

// NATSBrokerConfig configures a NATSBroker.
type NATSBrokerConfig struct {
	// Conn is the connection to the NATS cluster (with JetStream). The
	// broker does not close it. Required.
	Conn *nats.Conn
	// Node names this engine node in message IDs and logs.
	Node string
	// Replicas is each app stream's replica count (1 on a single NATS
	// server, 3 on a three-server cluster). Default 1.
	Replicas    int
	HistorySize int           // default 1000
	HistoryTTL  time.Duration // default 10 minutes
	// PublishTimeout bounds one attempt to store a publication. Default 2 s.
	PublishTimeout time.Duration
	// CatchUpInterval is how often every subscribed channel is compared
	// with its stream, to deliver publications whose live copy was lost
	// after the last one that arrived. Default 2 s.
	CatchUpInterval time.Duration
	Now             func() time.Time
	Logger          *slog.Logger
}

// NATSBroker keeps every channel's stream in NATS JetStream, so any number
// of engine nodes share channels, history and recovery.
//
// Each app has one stream, SB_<app>, whose subjects are sb.<app>.<channel
// in unpadded base64url> (channel names may contain dots). A publication's
// channel offset is in its Sb-Offset header; offsets stay dense because a
// node publishes offset N+1 only with the expected last subject sequence of
// offset N, and retries after a conflict with another node. A publication
// is stored before it is acknowledged or delivered: the stream republishes
// stored messages on sbl.<subject>, which every node with subscribers in the
// channel receives. NATS delivers those at most once, so a node that sees
// an offset jump reads the missing publications from the stream first.
type NATSBroker struct {
	cfg     NATSBrokerConfig
	nc      *nats.Conn
	js      jetstream.JetStream
	handler BrokerEventHandler
	// Message IDs are instance-counter: unique across nodes and restarts
	// (JetStream drops a second message with the same ID as a retry).
	instance string
	seq      atomic.Uint64
	// workers deliver republished messages, each channel always on the
	// same one: in order, without a goroutine per channel.
	workers []chan *nats.Msg

	mu      sync.Mutex
	streams map[string]*natsStream
	pubs    map[ChannelID]*natsPubState
	fans    map[ChannelID]*natsFanout
	// fanBySubj finds a republished message's channel by its subject.
	fanBySubj map[string]*natsFanout

	stop chan struct{}
	done chan struct{}
	wake chan struct{} // a reconnect: catch every channel up now
	// connCtx is cancelled (connDown) while the connection is down.
	connCtx  context.Context
	connDown context.CancelFunc

	// lost counts publications a gap fill could not find any more.
	lost atomic.Uint64
}

// natsStream is an app's stream as this node knows it.
type natsStream struct {
	name   string
	prefix string // "sb.<app>."
	epoch  string // from the stream's creation time: a new stream is a new epoch
}

func (s *natsStream) subject(channel string) string {
	return s.prefix + base64.RawURLEncoding.EncodeToString([]byte(channel))
}

// natsPubState is what this node knows of a channel's top, for publishing.
type natsPubState struct {
	mu    sync.Mutex // serializes this node's publishes to the channel
	known bool
	top   uint64 // offset of the last publication
	seq   uint64 // its stream sequence
	last  time.Time
}

// Message headers of a stored publication.
const (
	hdrOffset = "Sb-Offset"
	hdrFrom   = "Sb-From"
	hdrTime   = "Sb-Time"
)

// NewNATSBroker returns a broker on cfg.Conn. It checks that JetStream
// answers.
func NewNATSBroker(ctx context.Context, cfg NATSBrokerConfig) (*NATSBroker, error) {
	if cfg.Conn == nil {
		return nil, fmt.Errorf("nats broker: Conn is required: %w", ErrInvalid)
	}
	l := Limits{HistorySize: cfg.HistorySize, HistoryTTL: cfg.HistoryTTL}.withDefaults()
	cfg.HistorySize, cfg.HistoryTTL = l.HistorySize, l.HistoryTTL
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.PublishTimeout <= 0 {
		cfg.PublishTimeout = 2 * time.Second
	}
	if cfg.CatchUpInterval <= 0 {
		cfg.CatchUpInterval = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Node == "" {
		cfg.Node = randomHex(4)
	}
	js, err := jetstream.New(cfg.Conn)
	if err != nil {
		return nil, fmt.Errorf("nats broker: %w", err)
	}
	if _, err := natsSetup(ctx, js.AccountInfo); err != nil {
		return nil, fmt.Errorf("nats broker: jetstream: %w", unavailable(err))
	}
	b := &NATSBroker{cfg: cfg, nc: cfg.Conn, js: js, instance: cfg.Node + "-" + randomHex(6),
		streams: make(map[string]*natsStream), pubs: make(map[ChannelID]*natsPubState), fans: make(map[ChannelID]*natsFanout),
		fanBySubj: make(map[string]*natsFanout), stop: make(chan struct{}), done: make(chan struct{}), wake: make(chan struct{}, 1)}
	b.workers = make([]chan *nats.Msg, natsWorkers)
	for i := range b.workers {
		b.workers[i] = make(chan *nats.Msg, 4096)
		go b.work(b.workers[i])
	}
	b.connCtx, b.connDown = context.WithCancel(context.Background())
	go b.watchConn(b.nc.StatusChanged())
	go b.catchUpLoop()
	return b, nil
}

// unavailable marks err as the documented "unavailable" error (code 151):
// NATS or JetStream does not answer.
func unavailable(err error) error {
	return fmt.Errorf("%w: %w", errf(CodeUnavailable, "message store unavailable, retry later"), err)
}

// watchConn follows the connection's status: while it is down, publishes
// in flight fail at once (connCtx is cancelled), and when it is back every
// subscribed channel is caught up with its stream.
func (b *NATSBroker) watchConn(events chan nats.Status) {
	for {
		select {
		case <-b.stop:
			b.nc.RemoveStatusListener(events)
			return
		case st := <-events:
			b.mu.Lock()
			if st == nats.CONNECTED {
				if b.connCtx.Err() != nil {
					b.connCtx, b.connDown = context.WithCancel(context.Background())
				}
			} else {
				b.connDown()
			}
			b.mu.Unlock()
			if st == nats.CONNECTED {
				select {
				case b.wake <- struct{}{}:
				default:
				}
			}
		}
	}
}

// connContext is done when the connection goes down.
func (b *NATSBroker) connContext() context.Context {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.connCtx
}

// Health reports whether NATS and JetStream answer; /healthz calls it.
func (b *NATSBroker) Health(ctx context.Context) error {
	if st := b.nc.Status(); st != nats.CONNECTED {
		return unavailable(fmt.Errorf("nats connection %s", st))
	}
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}

// RegisterEventHandler implements Broker.
func (b *NATSBroker) RegisterEventHandler(h BrokerEventHandler) { b.handler = h }

func streamName(app string) string {
	return "SB_" + base64.RawURLEncoding.EncodeToString([]byte(app))
}

// stream returns app's stream, creating it on first use.
func (b *NATSBroker) stream(ctx context.Context, app string) (*natsStream, error) {
	b.mu.Lock()
	s := b.streams[app]
	b.mu.Unlock()
	if s != nil {
		return s, nil
	}
	prefix := "sb." + base64.RawURLEncoding.EncodeToString([]byte(app)) + "."
	st, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:     streamName(app),
		Subjects: []string{prefix + "*"},
		// The newest HistorySize publications of each channel stay; the
		// TTL applies when reading, so a channel's last publication (its
		// top offset) outlives the TTL and offsets never restart.
		MaxMsgsPerSubject: int64(b.cfg.HistorySize),
		Discard:           jetstream.DiscardOld,
		Storage:           jetstream.FileStorage,
		Replicas:          b.cfg.Replicas,
		Duplicates:        2 * time.Minute,
		AllowDirect:       true,
		RePublish:         &jetstream.RePublish{Source: prefix + "*", Destination: "sbl." + prefix + "{{wildcard(1)}}"},
	})
	if err != nil {
		return nil, fmt.Errorf("stream for app %s: %w", app, unavailable(err))
	}
	created := st.CachedInfo().Created.UnixNano()
	s = &natsStream{name: streamName(app), prefix: prefix, epoch: fmt.Sprintf("%08x", uint32(created^(created>>32)))}
	b.mu.Lock()
	if old := b.streams[app]; old != nil {
		s = old
	} else {
		b.streams[app] = s
	}
	b.mu.Unlock()
	return s, nil
}

func (b *NATSBroker) forgetStream(app string) {
	b.mu.Lock()
	delete(b.streams, app)
	for ch := range b.pubs {
		if ch.App == app {
			delete(b.pubs, ch)
		}
	}
	b.mu.Unlock()
}

func (b *NATSBroker) pubState(ch ChannelID) *natsPubState {
	b.mu.Lock()
	defer b.mu.Unlock()
	ps := b.pubs[ch]
	if ps == nil {
		ps = &natsPubState{}
		b.pubs[ch] = ps
	}
	ps.last = b.cfg.Now()
	return ps
}

// maxPublishAttempts bounds the retries after offset conflicts with other
// nodes publishing to the same channel.
const maxPublishAttempts = 64

// Publish implements Broker. The publication is stored in JetStream
// (acknowledged by its quorum) before it is delivered or returned.
func (b *NATSBroker) Publish(ctx context.Context, ch ChannelID, data json.RawMessage, from string) (*Publication, error) {
	if st := b.nc.Status(); st != nats.CONNECTED {
		return nil, unavailable(fmt.Errorf("publish: nats connection %s", st))
	}
	s, err := b.stream(ctx, ch.App)
	if err != nil {
		return nil, err
	}
	subj := s.subject(ch.Name)
	ps := b.pubState(ch)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	msgID := b.instance + "-" + strconv.FormatUint(b.seq.Add(1), 36)
	accepted := time.Now() // for usage latency; the stored time is b.cfg.Now
	now := b.cfg.Now().UnixMilli()
	for attempt := 0; attempt < maxPublishAttempts; attempt++ {
		if !ps.known {
			top, seq, id, err := b.lastMsg(ctx, s, subj)
			if err != nil {
				return nil, err
			}
			if id == msgID {
				// An earlier attempt timed out after it was stored.
				ps.top, ps.seq, ps.known = top, seq, true
				return b.published(ch, s, seq, &Publication{Offset: top, Epoch: s.epoch, Data: data, From: from, Time: now, accepted: accepted}), nil
			}
			ps.top, ps.seq, ps.known = top, seq, true
		}
		p := &Publication{Offset: ps.top + 1, Epoch: s.epoch, Data: data, From: from, Time: now, accepted: accepted}
		m := nats.NewMsg(subj)
		m.Data = data
		m.Header.Set(hdrOffset, strconv.FormatUint(p.Offset, 10))
		m.Header.Set(hdrFrom, from)
		m.Header.Set(hdrTime, strconv.FormatInt(now, 10))
		actx, cancel := context.WithTimeout(ctx, b.cfg.PublishTimeout)
		stop := context.AfterFunc(b.connContext(), cancel) // fail fast when NATS goes away
		ack, err := b.js.PublishMsg(actx, m, jetstream.WithMsgID(msgID), jetstream.WithExpectLastSequencePerSubject(ps.seq))
		stop()
		cancel()
		var apiErr *jetstream.APIError
		switch {
		case err == nil && ack.Duplicate:
			// A retry of a publication already stored: it keeps the offset
			// it was stored with.
			ps.known = false
			stored, err := b.msgAt(ctx, s, ch.Name, ack.Sequence)
			if err != nil {
				return nil, err
			}
			stored.accepted = accepted
			return b.published(ch, s, ack.Sequence, stored), nil
		case err == nil:
			ps.top, ps.seq = p.Offset, ack.Sequence
			return b.published(ch, s, ack.Sequence, p), nil
		case errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant):
			ps.known = false // another node published: read the new top
			if attempt > 0 {
				// Lost again: wait a random moment, so that nodes racing
				// for one channel take turns instead of one starving.
				time.Sleep(rand.N(time.Duration(min(attempt, 8)) * time.Millisecond))
			}
		case errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders):
			// The stream is gone (the app was deleted on another node, or
			// JetStream lost it): recreate it, a new epoch.
			b.forgetStream(ch.App)
			return nil, unavailable(fmt.Errorf("publish: %w", err))
		case (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) && ctx.Err() == nil:
			ps.known = false // it may have been stored: the message ID tells
			if b.nc.Status() != nats.CONNECTED {
				return nil, unavailable(fmt.Errorf("publish: %w", err))
			}
		default:
			ps.known = false
			return nil, unavailable(fmt.Errorf("publish: %w", err))
		}
	}
	return nil, unavailable(fmt.Errorf("publish to %s: %d offset conflicts in a row", ch.Name, maxPublishAttempts))
}

// published finishes a stored publication: its frame, and delivery on this
// node (the republished copy that follows is then a duplicate).
func (b *NATSBroker) published(ch ChannelID, s *natsStream, seq uint64, p *Publication) *Publication {
	p.frame = encodePub(ch.Name, p)
	b.deliverLocal(ch, s, seq, p)
	return p
}

// History implements Broker. Publications older than the TTL are not
// returned (the stream keeps the newest HistorySize of each channel).
func (b *NATSBroker) History(ctx context.Context, ch ChannelID, f HistoryFilter) (HistoryResult, error) {
	s, err := b.stream(ctx, ch.App)
	if err != nil {
		return HistoryResult{}, err
	}
	subj := s.subject(ch.Name)
	top, topSeq, _, err := b.lastMsg(ctx, s, subj)
	if err != nil {
		return HistoryResult{}, err
	}
	pos := StreamPosition{Offset: top, Epoch: s.epoch}
	if top == 0 {
		return HistoryResult{Position: pos}, nil
	}
	cutoff := b.cfg.Now().Add(-b.cfg.HistoryTTL).UnixMilli()
	limit := b.cfg.HistorySize + 1
	if f.Since >= top {
		// Nothing to return: only the oldest kept offset is needed.
		limit = 1
	}
	pubs, _, err := b.readRange(ctx, s, ch.Name, subj, 1, topSeq, limit, top)
	if err != nil {
		return HistoryResult{}, err
	}
	if limit == 1 && len(pubs) == 1 && pubs[0].Time < cutoff {
		// The oldest is expired: read them all to find the oldest kept.
		if pubs, _, err = b.readRange(ctx, s, ch.Name, subj, 1, topSeq, b.cfg.HistorySize+1, top); err != nil {
			return HistoryResult{}, err
		}
	}
	kept := pubs[:0]
	for _, p := range pubs {
		if p.Time >= cutoff {
			kept = append(kept, p)
		}
	}
	if limit == 1 {
		kept = kept[:min(len(kept), 1)]
	}
	return selectHistory(pos, kept, f), nil
}

// RemoveApp implements Broker: it deletes the app's stream.
func (b *NATSBroker) RemoveApp(ctx context.Context, app string) error {
	b.forgetStream(app)
	err := b.js.DeleteStream(ctx, streamName(app))
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("remove app stream: %w", unavailable(err))
	}
	return nil
}

// Sweep forgets the publish state of channels idle for a minute; the
// engine calls it periodically.
func (b *NATSBroker) Sweep(context.Context) error {
	cutoff := b.cfg.Now().Add(-time.Minute)
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch, ps := range b.pubs {
		if ps.mu.TryLock() {
			if ps.last.Before(cutoff) {
				delete(b.pubs, ch)
			}
			ps.mu.Unlock()
		}
	}
	return nil
}

// Close implements Broker: it stops the catch-up loop and the channel
// subscriptions. The connection stays open.
func (b *NATSBroker) Close() error {
	select {
	case <-b.stop:
		return nil
	default:
	}
	close(b.stop)
	<-b.done
	b.mu.Lock()
	fans := b.fans
	b.fans = make(map[ChannelID]*natsFanout)
	b.fanBySubj = make(map[string]*natsFanout)
	b.mu.Unlock()
	for _, f := range fans {
		f.close()
	}
	return nil
}
