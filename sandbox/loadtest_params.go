package sandbox

import (
	"fmt"
	"time"
)

// LoadTestParams are what the evaluator chooses for a load test. Every
// field is bounded by Limits; Validate says which bound was broken.
type LoadTestParams struct {
	Clients      int `json:"clients"`          // WebSocket connections, 1..MaxClients
	Channels     int `json:"channels"`         // 1..min(MaxChannels, Clients); clients are spread evenly
	Rate         int `json:"rate"`             // messages per second, all clients together, 1..MaxRate
	PayloadBytes int `json:"payload_bytes"`    // bytes of padding per message, 0..MaxPayloadBytes
	DurationSec  int `json:"duration_seconds"` // seconds of publishing, 1..MaxDuration
}

// subscribersPerChannel is the largest number of clients on one channel.
func (p LoadTestParams) subscribersPerChannel() int {
	return (p.Clients + p.Channels - 1) / p.Channels
}

// Validate checks p against l and returns ErrInvalid with a message ID
// naming the broken bound.
func (p LoadTestParams) Validate(l Limits) error {
	switch {
	case p.Clients < 1 || p.Clients > l.MaxClients:
		return invalid("sandbox.error.lt_clients", fmt.Sprintf("clients %d outside 1..%d", p.Clients, l.MaxClients))
	case p.Channels < 1 || p.Channels > l.MaxChannels || p.Channels > p.Clients:
		return invalid("sandbox.error.lt_channels", fmt.Sprintf("channels %d outside 1..min(%d, clients)", p.Channels, l.MaxChannels))
	case p.Rate < 1 || p.Rate > l.MaxRate:
		return invalid("sandbox.error.lt_rate", fmt.Sprintf("rate %d outside 1..%d", p.Rate, l.MaxRate))
	case float64(p.Rate) > float64(p.Clients)*l.AppPublishRate:
		return invalid("sandbox.error.lt_rate_per_client", fmt.Sprintf("rate %d above clients × %g per connection", p.Rate, l.AppPublishRate))
	case p.Rate*p.subscribersPerChannel() > l.MaxFanout:
		return invalid("sandbox.error.lt_fanout", fmt.Sprintf("rate × subscribers per channel = %d above %d", p.Rate*p.subscribersPerChannel(), l.MaxFanout))
	case p.PayloadBytes < 0 || p.PayloadBytes > l.MaxPayloadBytes:
		return invalid("sandbox.error.lt_payload", fmt.Sprintf("payload %d outside 0..%d", p.PayloadBytes, l.MaxPayloadBytes))
	case p.DurationSec < 1 || time.Duration(p.DurationSec)*time.Second > l.MaxDuration:
		return invalid("sandbox.error.lt_duration", fmt.Sprintf("duration %d s outside 1..%v", p.DurationSec, l.MaxDuration))
	}
	return nil
}
