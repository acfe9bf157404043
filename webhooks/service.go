package webhooks

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/db"
	"github.com/switchboard-rtm/switchboard/engine"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Config configures a Service. Zero fields get the defaults listed.
type Config struct {
	DB     *sql.DB      // required
	Logger *slog.Logger // default: discard
	// QueueLen bounds the events waiting in memory for the outbox writer
	// (10,000). The engine waits for each action's events to be committed
	// (Sync) before it acknowledges the action, so the queue holds at
	// most the events of the actions in flight; when it is full anyway,
	// Enqueue drops the event and counts it.
	QueueLen int
	// MaxPending bounds an endpoint's undelivered events in the outbox
	// (10,000). An event for a full endpoint is dropped for it and counted.
	MaxPending int
	// BatchSize is the most events the writer commits in one transaction (256).
	BatchSize int
	// Timeout is how long one delivery may take before it counts as failed (10 s).
	Timeout time.Duration
	// MinBackoff and MaxBackoff bound the retry delays (1 s, 10 min): the
	// n-th retry waits a random time between half and all of
	// min(MaxBackoff, MinBackoff·2^(n-1)).
	MinBackoff, MaxBackoff time.Duration
	// MaxAge is how long an event is retried before it is marked failed (24 h).
	MaxAge time.Duration
	// Refresh is how often endpoint changes made by other processes (the
	// apps webhook command) are picked up (2 s).
	Refresh time.Duration
	// DenyPrivate refuses endpoints on private, loopback and link-local
	// addresses, when they are added and again at every connection (so a
	// DNS name cannot be pointed at one later). For multi-tenant installs.
	DenyPrivate bool
}

func (c Config) withDefaults() Config {
	setInt := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	setDur := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	setInt(&c.QueueLen, 10000)
	setInt(&c.MaxPending, 10000)
	setInt(&c.BatchSize, 256)
	setDur(&c.Timeout, 10*time.Second)
	setDur(&c.MinBackoff, time.Second)
	setDur(&c.MaxBackoff, 10*time.Minute)
	setDur(&c.MaxAge, 24*time.Hour)
	setDur(&c.Refresh, 2*time.Second)
	return c
}

// Event is one engine event on its way to the outbox.
type Event struct {
	Type    string
	AppID   string
	Channel string // for matching publish events; also in Data
	Time    time.Time
	Data    any // marshaled as the payload's "data" object
}

// payload is the JSON body of every delivery.
type payload struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	AppID string `json:"app_id"`
	Time  int64  `json:"time"` // Unix milliseconds
	Data  any    `json:"data"`
}

// Stats are the service's counters since it started.
type Stats struct {
	Accepted     uint64 // outbox rows committed (one per event and endpoint)
	DroppedQueue uint64 // events dropped because the in-memory queue was full
	DroppedFull  uint64 // event-endpoint pairs dropped because the endpoint had MaxPending undelivered events
	Lost         uint64 // events whose outbox transaction failed (logged)
	Delivered    uint64 // events an endpoint answered 2xx
	Retried      uint64 // attempts that failed and will be retried
	Failed       uint64 // events given up after MaxAge
}

// Service stores events in the outbox and delivers them. Create it with
// New, call Start, and Close it after the engine has shut down.
type Service struct {
	cfg  Config
	log  *slog.Logger
	st   *store
	http *http.Client

	// The queue of events on their way to the outbox. Each event gets a
	// sequence number; written is the last one the writer has handled
	// (committed, or dropped and counted), and writtenC is closed and
	// replaced whenever written moves, waking the Sync callers.
	qmu      sync.Mutex
	queue    []queued
	seq      uint64
	appSeq   map[string]uint64 // app → seq of its last queued event not yet known written
	written  uint64
	writtenC chan struct{}
	stopped  bool // the writer has exited: Sync waits no more
	wakeW    chan struct{}

	routes atomic.Pointer[routes]

	mu      sync.Mutex
	workers map[string]*worker

	accepted, droppedQueue, droppedFull atomic.Uint64
	lost                                atomic.Uint64
	delivered, retried, failed          atomic.Uint64

	ctx        context.Context
	cancel     context.CancelFunc
	wg         sync.WaitGroup
	writerDone chan struct{}
}

// queued is an event with its sequence number.
type queued struct {
	seq uint64
	ev  Event
}

// routes is an immutable snapshot of the endpoints, by app.
type routes struct{ byApp map[string][]*Endpoint }

// New runs the package's migrations (component "webhooks") and returns a
// stopped service; events enqueued before Start wait in the queue.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("webhooks: Config.DB is required: %w", ErrInvalid)
	}
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	if err := db.Migrate(ctx, cfg.DB, "webhooks", sub); err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	cfg = cfg.withDefaults()
	s := &Service{cfg: cfg, log: cfg.Logger, st: &store{db: cfg.DB}, workers: map[string]*worker{},
		appSeq: map[string]uint64{}, writtenC: make(chan struct{}), wakeW: make(chan struct{}, 1)}
	s.http = newHTTPClient(cfg)
	s.routes.Store(&routes{})
	return s, nil
}

// Start loads the endpoints and starts the outbox writer, one deliverer
// per endpoint, and the loop that picks up endpoint changes.
func (s *Service) Start(ctx context.Context) error {
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := s.reload(s.ctx); err != nil {
		s.cancel()
		return err
	}
	s.writerDone = make(chan struct{})
	go s.writeLoop()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.cfg.Refresh)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				if err := s.reload(s.ctx); err != nil && s.ctx.Err() == nil {
					s.log.ErrorContext(s.ctx, "reload webhook endpoints", "err", err)
				}
			}
		}
	}()
	return nil
}

// Close writes the events still queued to the outbox, then stops the
// deliverers (undelivered events stay in the outbox for the next start).
func (s *Service) Close() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.writerDone
	s.wg.Wait()
}

// Enqueue hands ev to the outbox writer without blocking. It reports
// whether ev was queued: false when no endpoint wants it, or when the
// queue is full (counted in Stats.DroppedQueue). The event is durable
// once Sync for its app returns.
func (s *Service) Enqueue(ev Event) bool {
	if !s.routes.Load().wanted(ev.Type, ev.AppID, ev.Channel) {
		return false
	}
	s.qmu.Lock()
	if len(s.queue) >= s.cfg.QueueLen {
		s.qmu.Unlock()
		s.droppedQueue.Add(1)
		return false
	}
	s.seq++
	s.queue = append(s.queue, queued{s.seq, ev})
	s.appSeq[ev.AppID] = s.seq
	s.qmu.Unlock()
	select {
	case s.wakeW <- struct{}{}:
	default:
	}
	return true
}

// Wants reports whether the app has webhook endpoints, so that the engine
// syncs its events (engine.EventSync); other apps never wait.
func (s *Service) Wants(appID string) bool { return len(s.routes.Load().byApp[appID]) > 0 }

// Sync returns when every event Enqueue accepted for appID before the call
// is committed to the outbox (or was dropped for a full endpoint, or its
// batch failed: both counted and logged), when ctx is done, or when the
// service has stopped. Concurrent callers share the writer's transactions
// (group commit), so a commit costs each of them a fraction of its time.
func (s *Service) Sync(ctx context.Context, appID string) {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	target, ok := s.appSeq[appID]
	if !ok {
		return
	}
	for s.written < target && !s.stopped {
		ch := s.writtenC
		s.qmu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			s.qmu.Lock()
			return
		}
		s.qmu.Lock()
	}
	if s.appSeq[appID] <= s.written {
		delete(s.appSeq, appID) // nothing of the app is waiting
	}
}

var _ engine.EventSync = (*Service)(nil)

func (r *routes) wanted(typ, app, channel string) bool {
	for _, e := range r.byApp[app] {
		if e.wants(typ, channel, engine.MatchChannel) {
			return true
		}
	}
	return false
}

// writeLoop commits queued events in batches until Close, then writes
// what is still queued. While it commits one batch the next one gathers:
// that is the group commit Sync callers share.
func (s *Service) writeLoop() {
	var batch []queued
	var warned Stats // drops already logged, at most every 10 s
	var warnedAt time.Time
	for {
		var stopping bool
		select {
		case <-s.wakeW:
		case <-s.ctx.Done():
			stopping = true
		}
		for {
			s.qmu.Lock()
			n := min(len(s.queue), s.cfg.BatchSize)
			batch = append(batch[:0], s.queue[:n]...)
			s.queue = append(s.queue[:0], s.queue[n:]...)
			s.qmu.Unlock()
			if n == 0 {
				break
			}
			// Not s.ctx: the last batch is written while stopping too.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := s.writeBatch(ctx, batch); err != nil {
				s.lost.Add(uint64(n))
				s.log.ErrorContext(ctx, "write webhook outbox", "events", n, "err", err)
			}
			cancel()
			s.qmu.Lock()
			s.written = batch[n-1].seq
			close(s.writtenC)
			s.writtenC = make(chan struct{})
			s.qmu.Unlock()
			clear(batch) // drop the events' data
		}
		if st := s.Stats(); (st.DroppedQueue != warned.DroppedQueue || st.DroppedFull != warned.DroppedFull) && time.Since(warnedAt) > 10*time.Second {
			s.log.Warn("webhook events dropped", "queue_full", st.DroppedQueue-warned.DroppedQueue,
				"endpoint_full", st.DroppedFull-warned.DroppedFull, "queue_len", s.cfg.QueueLen, "max_pending", s.cfg.MaxPending)
			warned, warnedAt = st, time.Now()
		}
		if stopping {
			s.qmu.Lock()
			s.stopped = true
			close(s.writtenC)
			s.writtenC = make(chan struct{})
			s.qmu.Unlock()
			close(s.writerDone)
			return
		}
	}
}

// writeBatch turns events into outbox rows, one per wanting endpoint that
// has room, commits them, and wakes those endpoints' deliverers.
func (s *Service) writeBatch(ctx context.Context, batch []queued) error {
	r := s.routes.Load()
	var rows []insert
	var touched []*worker
	s.mu.Lock()
	for _, q := range batch {
		ev := q.ev
		var body []byte
		id := "evt_" + randomHex(12)
		for _, e := range r.byApp[ev.AppID] {
			if !e.wants(ev.Type, ev.Channel, engine.MatchChannel) {
				continue
			}
			w := s.workers[e.ID]
			if w == nil {
				continue // removed since
			}
			if w.pending.Load() >= int64(s.cfg.MaxPending) {
				s.droppedFull.Add(1)
				continue
			}
			if body == nil {
				var err error
				if body, err = json.Marshal(payload{ID: id, Type: ev.Type, AppID: ev.AppID, Time: ev.Time.UnixMilli(), Data: ev.Data}); err != nil {
					s.mu.Unlock()
					return fmt.Errorf("encode %s event: %w", ev.Type, err)
				}
			}
			w.pending.Add(1)
			rows = append(rows, insert{endpoint: e.ID, eventID: id, typ: ev.Type, body: body, at: ev.Time})
			touched = append(touched, w)
		}
	}
	s.mu.Unlock()
	if len(rows) == 0 {
		return nil
	}
	if err := s.st.insertBatch(ctx, rows); err != nil {
		for _, w := range touched {
			w.pending.Add(-1)
		}
		return err
	}
	s.accepted.Add(uint64(len(rows)))
	for _, w := range touched {
		w.wake()
	}
	return nil
}

// reload reads the endpoints, publishes a new routing snapshot, and
// starts or stops deliverers to match.
func (s *Service) reload(ctx context.Context) error {
	eps, err := s.st.endpoints(ctx, "")
	if err != nil {
		return err
	}
	r := &routes{byApp: map[string][]*Endpoint{}}
	seen := map[string]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range eps {
		e := &eps[i]
		seen[e.ID] = true
		if s.workers[e.ID] == nil {
			n, err := s.st.pendingCount(ctx, e.ID)
			if err != nil {
				return err
			}
			w := newWorker(s, *e, n)
			s.workers[e.ID] = w
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				w.run()
			}()
		}
		r.byApp[e.AppID] = append(r.byApp[e.AppID], e)
	}
	for id, w := range s.workers {
		if !seen[id] {
			w.stop()
			delete(s.workers, id)
		}
	}
	s.routes.Store(r)
	return nil
}

// Stats returns the service's counters.
func (s *Service) Stats() Stats {
	return Stats{Accepted: s.accepted.Load(), DroppedQueue: s.droppedQueue.Load(), DroppedFull: s.droppedFull.Load(), Lost: s.lost.Load(),
		Delivered: s.delivered.Load(), Retried: s.retried.Load(), Failed: s.failed.Load()}
}

// Add creates an endpoint with a new signing secret. A running service
// picks it up within Config.Refresh; Add reloads at once when started.
func (s *Service) Add(ctx context.Context, n NewEndpoint) (Endpoint, error) {
	if err := n.validate(ctx, s.cfg.DenyPrivate); err != nil {
		return Endpoint{}, err
	}
	e := Endpoint{ID: "wh_" + randomHex(8), AppID: n.AppID, URL: n.URL, Events: n.Events, Channels: n.Channels,
		Secret: "whsec_" + randomHex(24), CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := s.st.addEndpoint(ctx, e); err != nil {
		return Endpoint{}, err
	}
	return e, s.reloadIfStarted(ctx)
}

// Endpoints lists the app's endpoints, oldest first.
func (s *Service) Endpoints(ctx context.Context, appID string) ([]Endpoint, error) {
	if appID == "" {
		return nil, fmt.Errorf("list endpoints: %w: no app", ErrInvalid)
	}
	return s.st.endpoints(ctx, appID)
}

// Remove deletes the app's endpoint id and its undelivered events.
// ErrNotFound if the app has no such endpoint.
func (s *Service) Remove(ctx context.Context, appID, id string) error {
	if err := s.st.removeEndpoint(ctx, appID, id); err != nil {
		return err
	}
	return s.reloadIfStarted(ctx)
}

// Deliveries returns the endpoint's last KeepDeliveries attempts, newest first.
func (s *Service) Deliveries(ctx context.Context, endpointID string) ([]Delivery, error) {
	return s.st.deliveries(ctx, endpointID)
}

func (s *Service) reloadIfStarted(ctx context.Context) error {
	if s.ctx == nil {
		return nil
	}
	return s.reload(ctx)
}

// Test sends one signed "webhook.test" event to the app's endpoint id
// now, outside the outbox, and returns (and records) the attempt.
func (s *Service) Test(ctx context.Context, appID, id string) (Delivery, error) {
	eps, err := s.st.endpoints(ctx, appID)
	if err != nil {
		return Delivery{}, err
	}
	for _, e := range eps {
		if e.ID != id {
			continue
		}
		evID := "evt_" + randomHex(12)
		now := time.Now()
		body, err := json.Marshal(payload{ID: evID, Type: TypeTest, AppID: appID, Time: now.UnixMilli(), Data: map[string]string{"endpoint": id}})
		if err != nil {
			return Delivery{}, fmt.Errorf("test webhook: %w", err)
		}
		d := s.post(ctx, e, outRow{EventID: evID, Type: TypeTest, Body: body}, 1)
		if err := s.st.record(ctx, id, d); err != nil {
			return d, err
		}
		return d, nil
	}
	return Delivery{}, fmt.Errorf("test webhook %s: %w", id, ErrNotFound)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
