package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// Run is a load test in progress or just finished. Its ID is also the ID of
// its report.
type Run struct {
	ID    string
	AppID string

	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	samples []Sample
	report  *Report
	err     error
	changed chan struct{} // closed and replaced on every new sample or at the end
}

// Event is one item of a run's progress stream.
type Event struct {
	Type   string  // "progress", "done" or "failed"
	Sample *Sample // for "progress"
	Report *Report // for "done"
	Err    error   // for "failed"
}

func (r *Run) addSample(s Sample) {
	r.mu.Lock()
	r.samples = append(r.samples, s)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *Run) finish(rep *Report, err error) {
	r.mu.Lock()
	r.report, r.err = rep, err
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	close(r.done)
}

// Watch calls fn with every progress sample so far and then each new one
// as it comes, and finally with "done" or "failed". It returns when the run
// ended, fn returned an error, or ctx ended.
func (r *Run) Watch(ctx context.Context, fn func(Event) error) error {
	next := 0
	for {
		r.mu.Lock()
		pending := append([]Sample(nil), r.samples[next:]...)
		next = len(r.samples)
		rep, err, changed := r.report, r.err, r.changed
		finished := rep != nil || err != nil
		r.mu.Unlock()
		for i := range pending {
			if e := fn(Event{Type: "progress", Sample: &pending[i]}); e != nil {
				return e
			}
		}
		if finished {
			if err != nil {
				return fn(Event{Type: "failed", Err: err})
			}
			return fn(Event{Type: "done", Report: rep})
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Wait blocks until the run ends and returns its report.
func (r *Run) Wait(ctx context.Context) (*Report, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-r.done:
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.report, r.err
}

// loadTests tracks running and recently finished runs and enforces the
// per-app and global concurrency caps.
type loadTests struct {
	mu      sync.Mutex
	runs    map[string]*Run // by run ID, kept a while after finishing
	running map[string]int  // by app ID
	total   int
	wg      sync.WaitGroup
}

func (l *loadTests) init() {
	l.runs = map[string]*Run{}
	l.running = map[string]int{}
}

func (l *loadTests) cancelApp(appID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.runs {
		if r.AppID == appID {
			r.cancel()
		}
	}
}

func (l *loadTests) cancelAll() {
	l.mu.Lock()
	for _, r := range l.runs {
		r.cancel()
	}
	l.mu.Unlock()
	l.wg.Wait()
}

// keepFinished is how long a finished run's progress stays in memory for
// late SSE watchers; after that its stored report answers.
const keepFinished = 10 * time.Minute

// StartLoadTest checks p against the limits and the concurrency caps and
// starts a load test against sandbox app appID in the background. Errors:
// ErrNotFound (no such live sandbox app), ErrInvalid (p out of bounds),
// ErrBusy (a test already runs for this app), ErrQuota (global cap).
func (s *Service) StartLoadTest(ctx context.Context, appID string, p LoadTestParams) (*Run, error) {
	if _, err := s.lookup(ctx, appID); err != nil {
		return nil, err
	}
	if err := p.Validate(s.limits); err != nil {
		return nil, err
	}
	if s.cfg.WSURL == nil {
		return nil, fmt.Errorf("sandbox: start load test: no WebSocket URL configured")
	}
	ea, err := s.cfg.Engine.GetApp(ctx, appID)
	if err != nil {
		return nil, fmt.Errorf("sandbox: start load test: %w", err)
	}
	l := &s.lt
	l.mu.Lock()
	if l.running[appID] >= s.limits.LoadTestsPerApp {
		l.mu.Unlock()
		return nil, &Error{Kind: ErrBusy, ID: "sandbox.error.lt_busy", Msg: appID}
	}
	if l.total >= s.limits.LoadTestsGlobal {
		l.mu.Unlock()
		return nil, quota("sandbox.error.lt_global", 10*time.Second, "global load-test cap")
	}
	l.running[appID]++
	l.total++
	runCtx, cancel := context.WithCancel(context.Background())
	r := &Run{ID: newID(), AppID: appID, cancel: cancel, done: make(chan struct{}), changed: make(chan struct{})}
	l.runs[r.ID] = r
	l.wg.Add(1)
	l.mu.Unlock()

	go func() {
		defer l.wg.Done()
		rep, err := s.runLoadTest(runCtx, r, ea.ID, ea.Certificate, p)
		if err == nil {
			saveCtx, c := context.WithTimeout(context.Background(), 10*time.Second)
			err = s.saveReport(saveCtx, rep)
			c()
		}
		if err != nil {
			s.log.Warn("sandbox load test failed", "run", r.ID, "err", err)
		}
		l.mu.Lock()
		l.running[appID]--
		if l.running[appID] == 0 {
			delete(l.running, appID)
		}
		l.total--
		l.mu.Unlock()
		r.finish(rep, err)
		cancel()
		time.AfterFunc(keepFinished, func() {
			l.mu.Lock()
			delete(l.runs, r.ID)
			l.mu.Unlock()
		})
	}()
	return r, nil
}

// LoadTest returns a running or recently finished run, or ErrNotFound.
func (s *Service) LoadTest(id string) (*Run, error) {
	s.lt.mu.Lock()
	defer s.lt.mu.Unlock()
	r, ok := s.lt.runs[id]
	if !ok {
		return nil, &Error{Kind: ErrNotFound, ID: "sandbox.error.report_not_found", Msg: id}
	}
	return r, nil
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
