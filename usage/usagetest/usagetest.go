// Package usagetest has test helpers for code that reads usage: a
// usage.Source whose counters the test sets.
package usagetest

import (
	"sync"

	"github.com/switchboard-rtm/switchboard/engine"
)

// Samples hands out prepared engine counters, as engine.TakeUsage would:
// what Set gave, once.
type Samples struct {
	mu   sync.Mutex
	next []engine.AppUsage
}

// TakeUsage returns the counters set since the last call.
func (s *Samples) TakeUsage() []engine.AppUsage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.next
	s.next = nil
	return out
}

// Set makes u the counters the next TakeUsage returns.
func (s *Samples) Set(u ...engine.AppUsage) { s.mu.Lock(); s.next = u; s.mu.Unlock() }
