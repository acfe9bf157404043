package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSPeerStream is the JetStream stream of stored (offline) peer
// messages: subject sbpeer.store.<app>.<user>, kept for the offline TTL,
// at most the per-user cap per subject (further ones are refused).
const NATSPeerStream = "SB_PEER"

const (
	peerStorePrefix = "sbpeer.store."
	peerLivePrefix  = "sbpeer.live."
	hdrOrigin       = "Sb-Origin"
	// hdrPeerID names a live message; a sender that timed out waiting
	// for a delivery stores the message with it (storedPeer.LiveID).
	hdrPeerID = "Sb-Peer-Id"
	// peerLiveTimeout bounds the wait for another node to say it delivered
	// a live peer message; after it the message is stored.
	peerLiveTimeout = 500 * time.Millisecond
)

// NATSPeersConfig configures NATSPeers.
type NATSPeersConfig struct {
	Conn     *nats.Conn
	Replicas int // replicas of the stream (default 1)
	// TTL is how long a stored message is kept and MaxPerUser how many
	// are kept per user: the engine's OfflineTTL and MaxOfflinePerUser
	// (defaults as in DefaultLimits).
	TTL        time.Duration
	MaxPerUser int
}

// NATSPeers routes peer messages across a cluster: a node with a
// connection of the recipient delivers it (each node listens on the
// recipient's live subject while it has one), and a message for a user
// connected nowhere is stored in JetStream and replayed at the user's
// next login on any node.
type NATSPeers struct {
	cfg      NATSPeersConfig
	nc       *nats.Conn
	js       jetstream.JetStream
	stream   jetstream.Stream
	instance string
	e        *Engine

	// live carries every listened subject's messages to one goroutine
	// (a channel subscription per user costs no goroutine of its own).
	live chan *nats.Msg
	stop chan struct{}

	mu   sync.Mutex
	subs map[userKey]*peerSub
	// recent holds, per listened user, the IDs of the last live messages
	// delivered here (a stored copy of one of them is not delivered again).
	recent map[userKey][]string
}

type peerSub struct {
	n   int
	sub *nats.Subscription
}

// storedPeer is a stored message's body.
type storedPeer struct {
	From string          `json:"from"`
	Data json.RawMessage `json:"data"`
	Time int64           `json:"time"`
	// LiveID is the live message's ID when the sender stored it after no
	// node answered in time (one may still have delivered it).
	LiveID string `json:"live_id,omitempty"`
}

// NewNATSPeers opens (creating or updating it) the peer stream.
func NewNATSPeers(ctx context.Context, cfg NATSPeersConfig) (*NATSPeers, error) {
	d := DefaultLimits()
	if cfg.TTL <= 0 {
		cfg.TTL = d.OfflineTTL
	}
	if cfg.MaxPerUser <= 0 {
		cfg.MaxPerUser = d.MaxOfflinePerUser
	}
	js, err := jetstream.New(cfg.Conn)
	if err != nil {
		return nil, fmt.Errorf("peer stream: %w", err)
	}
	st, err := natsSetup(ctx, func(ctx context.Context) (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: NATSPeerStream, Subjects: []string{peerStorePrefix + ">"},
			MaxAge: cfg.TTL, MaxMsgsPerSubject: int64(cfg.MaxPerUser), Discard: jetstream.DiscardNew, DiscardNewPerSubject: true,
			Replicas: max(1, cfg.Replicas), AllowDirect: true})
	})
	if err != nil {
		return nil, fmt.Errorf("peer stream: %w", unavailable(err))
	}
	p := &NATSPeers{cfg: cfg, nc: cfg.Conn, js: js, stream: st, instance: randomHex(8), subs: map[userKey]*peerSub{}, recent: map[userKey][]string{},
		live: make(chan *nats.Msg, 4096), stop: make(chan struct{})}
	go p.loop()
	return p, nil
}

// loop delivers the live messages of every listened user.
func (p *NATSPeers) loop() {
	for {
		select {
		case <-p.stop:
			return
		case m := <-p.live:
			app, user, ok := parsePeerSubject(m.Subject)
			if ok {
				p.receive(app, user, m)
			}
		}
	}
}

// parsePeerSubject reads the app and user of a live subject.
func parsePeerSubject(subj string) (app, user string, ok bool) {
	a, u, ok := strings.Cut(strings.TrimPrefix(subj, peerLivePrefix), ".")
	if !ok {
		return "", "", false
	}
	ab, err1 := base64.RawURLEncoding.DecodeString(a)
	ub, err2 := base64.RawURLEncoding.DecodeString(u)
	return string(ab), string(ub), err1 == nil && err2 == nil
}

// Close stops delivering live messages (the engine's Shutdown calls it).
func (p *NATSPeers) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
}

func peerSubject(prefix, app, user string) string { return prefix + keyPart(app) + "." + keyPart(user) }

// online starts listening for the user's live messages (counted per
// connection); the engine calls it on login, then flush before replay.
func (p *NATSPeers) online(app, user string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := userKey{app, user}
	if s := p.subs[k]; s != nil {
		s.n++
		return nil
	}
	sub, err := p.nc.ChanSubscribe(peerSubject(peerLivePrefix, app, user), p.live)
	if err != nil {
		return fmt.Errorf("peer listen: %w", unavailable(err))
	}
	p.subs[k] = &peerSub{n: 1, sub: sub}
	return p.nc.Flush()
}

// offline undoes online.
func (p *NATSPeers) offline(app, user string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := userKey{app, user}
	s := p.subs[k]
	if s == nil {
		return
	}
	if s.n--; s.n == 0 {
		s.sub.Unsubscribe()
		delete(p.subs, k)
		delete(p.recent, k)
	}
}

// receive delivers a live message from another node and, asked for a
// reply, says it was delivered; a stored notice (storedNotice) delivers
// the stored messages this node's connections of the user have not had.
func (p *NATSPeers) receive(app, user string, m *nats.Msg) {
	if m.Header.Get(hdrOrigin) == p.instance {
		return
	}
	if s := m.Header.Get(hdrStored); s != "" {
		if seq, err := strconv.ParseUint(s, 10, 64); err == nil {
			p.storedNotice(app, user, seq)
		}
		return
	}
	pl := p.e.peerLock(app, user)
	pl.Lock()
	ok := p.e.hub.sendToUser(app, user, textFrame(m.Data))
	if id := m.Header.Get(hdrPeerID); ok && id != "" {
		p.remember(app, user, id)
	}
	pl.Unlock()
	if ok && m.Reply != "" {
		m.Respond([]byte("delivered"))
	}
}

// recentLive is how many live message IDs are remembered per user.
const recentLive = 16

// remember records that the live message id reached the user here.
func (p *NATSPeers) remember(app, user, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := userKey{app, user}
	if p.subs[k] == nil {
		return
	}
	r := append(p.recent[k], id)
	if len(r) > recentLive {
		r = r[len(r)-recentLive:]
	}
	p.recent[k] = r
}

// deliveredLive reports whether the live message id reached the user here.
func (p *NATSPeers) deliveredLive(app, user, id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.recent[userKey{app, user}], id)
}

// send delivers frame to the user's connections on other nodes. With
// local (already delivered here) it does not wait; otherwise it reports
// whether some node delivered it. liveID is set when no node answered in
// time (one may still deliver it): the stored copy carries it.
func (p *NATSPeers) send(app, to string, frame []byte, local bool) (delivered bool, liveID string, err error) {
	if st := p.nc.Status(); st != nats.CONNECTED && !local {
		return false, "", unavailable(fmt.Errorf("peer send: nats connection %s", st))
	}
	m := nats.NewMsg(peerSubject(peerLivePrefix, app, to))
	m.Data = frame
	m.Header.Set(hdrOrigin, p.instance)
	if local {
		// Delivered here; the user's connections on other nodes get it at
		// most once (a failure to publish is not the receipt's business).
		p.nc.PublishMsg(m)
		return true, "", nil
	}
	id := randomHex(8)
	m.Header.Set(hdrPeerID, id)
	_, err = p.nc.RequestMsg(m, peerLiveTimeout)
	switch {
	case err == nil:
		return true, "", nil
	case errors.Is(err, nats.ErrNoResponders):
		return false, "", nil
	case errors.Is(err, nats.ErrTimeout):
		return false, id, nil
	default:
		return false, "", unavailable(fmt.Errorf("peer send: %w", err))
	}
}

// store keeps a message for a user connected nowhere; full when the user
// has the cap of stored messages. liveID is send's. Once stored, a notice
// on the user's live subject tells a node where the user has just logged
// in (after the live attempt, perhaps after its replay) to deliver it.
func (p *NATSPeers) store(ctx context.Context, app, from, to string, data json.RawMessage, now time.Time, liveID string) (id int64, full bool, err error) {
	subj := peerSubject(peerStorePrefix, app, to)
	if st := p.nc.Status(); st != nats.CONNECTED {
		return 0, false, unavailable(fmt.Errorf("store peer: nats connection %s", st))
	}
	n, err := p.count(ctx, subj)
	if err != nil {
		return 0, false, err
	}
	if n >= p.cfg.MaxPerUser {
		return 0, true, nil
	}
	body, err := json.Marshal(storedPeer{From: from, Data: data, Time: now.UnixMilli(), LiveID: liveID})
	if err != nil {
		return 0, false, fmt.Errorf("store peer: %w", err)
	}
	ack, err := p.js.Publish(ctx, subj, body)
	var apiErr *jetstream.APIError
	switch {
	case err == nil:
		p.notifyStored(app, to, ack.Sequence)
		return int64(ack.Sequence), false, nil
	case errors.As(err, &apiErr) && strings.Contains(apiErr.Description, "maximum messages per subject"):
		return 0, true, nil
	default:
		return 0, false, unavailable(fmt.Errorf("store peer: %w", err))
	}
}

// count is the number of messages stored for subj.
func (p *NATSPeers) count(ctx context.Context, subj string) (int, error) {
	info, err := p.stream.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return 0, unavailable(fmt.Errorf("peer stream: %w", err))
	}
	return int(info.State.Subjects[subj]), nil
}

// replay sends c the user's stored messages, oldest first, but not those
// older than the TTL at now (JetStream's MaxAge removes them too, by its
// own clock). c.peerSeq is 0 here (the login holds the peer lock).
func (p *NATSPeers) replay(ctx context.Context, c *conn, now time.Time) error {
	oldest := now.Add(-p.cfg.TTL).UnixMilli()
	subj := peerSubject(peerStorePrefix, c.app.ID, c.user)
	n, err := p.count(ctx, subj)
	if err != nil || n == 0 {
		return err
	}
	cons, err := p.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}})
	if err != nil {
		return fmt.Errorf("replay peer: %w", unavailable(err))
	}
	for got := 0; got < n; {
		batch, err := cons.Fetch(n-got, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return fmt.Errorf("replay peer: %w", unavailable(err))
		}
		k := 0
		for m := range batch.Messages() {
			k++
			meta, err := m.Metadata()
			if err != nil {
				return fmt.Errorf("replay peer: %w", err)
			}
			if !p.deliverStored(ctx, c, meta.Sequence.Stream, m.Data(), oldest) {
				return nil
			}
			if meta.NumPending == 0 {
				return nil
			}
		}
		if k == 0 {
			return batch.Error()
		}
		got += k
	}
	return nil
}

// ack forgets the user's stored messages up to message ID upTo.
func (p *NATSPeers) ack(ctx context.Context, app, user string, upTo int64) error {
	if err := p.stream.Purge(ctx, jetstream.WithPurgeSubject(peerSubject(peerStorePrefix, app, user)), jetstream.WithPurgeSequence(uint64(upTo)+1)); err != nil {
		return fmt.Errorf("ack peer: %w", unavailable(err))
	}
	return nil
}
