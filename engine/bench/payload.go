package bench

import (
	"errors"
	"time"
)

// A payload is a JSON object {"t":<19-digit Unix ns>,"p":"xx…"} padded
// with 'x' to exactly the configured size. The subscriber reads "t" back to
// measure latency; both ends are this process, so the wall clock is shared.
const (
	payloadPrefix = `{"t":`
	tsDigits      = 19 // Unix nanoseconds have 19 digits until the year 2286
	// MinPayloadBytes is the smallest -size: the timestamp and an empty pad.
	MinPayloadBytes = len(payloadPrefix) + tsDigits + len(`,"p":""}`)
)

// newPayload returns a payload template of size bytes.
func newPayload(size int) []byte {
	size = max(size, MinPayloadBytes)
	b := make([]byte, 0, size)
	b = append(b, payloadPrefix...)
	for range tsDigits {
		b = append(b, '0')
	}
	b = append(b, `,"p":"`...)
	for len(b) < size-2 {
		b = append(b, 'x')
	}
	return append(b, `"}`...)
}

// stamp writes t into p (made by newPayload).
func stamp(p []byte, t time.Time) {
	n := t.UnixNano()
	d := p[len(payloadPrefix) : len(payloadPrefix)+tsDigits]
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
}

var errNoStamp = errors.New("payload has no bench timestamp")

// parseStamp reads the send time from a received payload without
// allocating.
func parseStamp(data []byte) (int64, error) {
	if len(data) < MinPayloadBytes || string(data[:len(payloadPrefix)]) != payloadPrefix {
		return 0, errNoStamp
	}
	var n int64
	for _, c := range data[len(payloadPrefix) : len(payloadPrefix)+tsDigits] {
		if c < '0' || c > '9' {
			return 0, errNoStamp
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}
