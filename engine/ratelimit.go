package engine

import "time"

// tokenBucket limits publish and peer ops per connection. Only the
// connection's ops use it, one at a time, so it needs no lock.
type tokenBucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate float64, burst int, now time.Time) tokenBucket {
	return tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// allow takes one token if available.
func (b *tokenBucket) allow(now time.Time) bool {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(b.burst, b.tokens+el*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// setRate changes the rate and burst, keeping the tokens already earned
// (at most the new burst).
func (b *tokenBucket) setRate(rate float64, burst int) {
	b.rate, b.burst = rate, float64(burst)
	b.tokens = min(b.tokens, b.burst)
}
