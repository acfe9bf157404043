package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rtm/switchboard/webhooks/examples"
)

// webhookSink is the receiver of "bench -webhooks": it checks every
// delivery's signature the way the docs' receiver does (so the bench pays
// what a real backend pays) and counts what it accepted and refused.
type webhookSink struct {
	srv          *http.Server
	url          string
	secret       atomic.Pointer[string]
	events, bads atomic.Uint64

	mu     sync.Mutex
	byType map[string]int
}

func startWebhookSink() (*webhookSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: webhook receiver: %w", err)
	}
	s := &webhookSink{url: "http://" + ln.Addr().String() + "/webhooks", byType: map[string]int{}}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	secret := s.secret.Load()
	if err != nil || secret == nil || examples.Verify(*secret, r.Header.Get("Switchboard-Signature"), body, time.Now()) != nil {
		s.bads.Add(1)
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	s.events.Add(1)
	s.mu.Lock()
	s.byType[r.Header.Get("Switchboard-Event")]++
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// counts describes the accepted deliveries by event type, for the log.
func (s *webhookSink) counts() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for _, typ := range slices.Sorted(maps.Keys(s.byType)) {
		parts = append(parts, fmt.Sprintf("%s=%d", typ, s.byType[typ]))
	}
	return strings.Join(parts, " ")
}

// settle waits until no delivery has arrived for quiet, or until max has
// passed: the server sends the disconnects' events after the run ends.
func (s *webhookSink) settle(ctx context.Context, quiet, max time.Duration) {
	deadline := time.Now().Add(max)
	last, lastAt := s.events.Load()+s.bads.Load(), time.Now()
	for time.Now().Before(deadline) && time.Since(lastAt) < quiet && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		if n := s.events.Load() + s.bads.Load(); n != last {
			last, lastAt = n, time.Now()
		}
	}
}

func (s *webhookSink) close() error {
	if err := s.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("bench: webhook receiver: %w", err)
	}
	return nil
}
