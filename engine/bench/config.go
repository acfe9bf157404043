package bench

import (
	"errors"
	"fmt"
	"github.com/switchboard-rtm/switchboard/histogram"
	"io"
	"net/url"
	"strings"
	"time"
)

// Config describes a run. Zero fields get the defaults noted.
type Config struct {
	// URL is the engine's WebSocket endpoint (ws://host:port/v1/ws). An
	// http(s):// base URL is accepted too; "/v1/ws" is then appended.
	URL string
	// SubURLs, if set, are the engines (cluster nodes) the subscribers
	// connect to, in turn: subscriber i uses SubURLs[i%len(SubURLs)].
	// Default: URL.
	SubURLs []string
	// PubURL, if set, is the engine the publishers connect to (another
	// cluster node, to measure cross-node fan-out). Default: URL.
	PubURL string
	// AppID and AppCert identify the app whose tokens the clients use;
	// tokens are minted locally with engine.MintToken.
	AppID, AppCert string
	// ServerPID is the server's process ID, for ServerRSSBytes; 0 if unknown.
	ServerPID int

	// Subscribers is the number of subscriber connections, spread evenly
	// over Channels (subscriber i subscribes to channel i mod Channels).
	Subscribers int
	// Channels is the number of channels (default 1). In idle mode 0 is
	// allowed: idle clients then connect without subscribing.
	Channels int
	// Rate is the number of messages per second published into each channel.
	Rate float64
	// Size is the payload size in bytes (default 128, at least
	// MinPayloadBytes).
	Size int
	// Duration is how long to publish (load mode) or to hold the idle
	// connections before measuring (idle mode). Default 10 s.
	Duration time.Duration
	// Grace is the longest wait for outstanding deliveries after publishing
	// stops; the run ends earlier once every expected delivery arrived.
	// Default 3 s.
	Grace time.Duration
	// PublisherRate caps the messages per second one publisher connection
	// sends, to stay under the engine's per-connection publish limit
	// (60/s, burst 60 by default). Default 10: the limit is applied when the
	// server reads a request, so an overloaded server that falls behind
	// reads queued publishes at once, and at 10/s a stall of up to 6 s still
	// fits in the burst of 60 (at 25/s, runs at 100k deliveries/s on two
	// busy cores saw rate_limited errors).
	PublisherRate float64
	// ConnectConcurrency is how many connections are opened at once
	// (default 64).
	ConnectConcurrency int

	// CutEvery, when > 0, cuts the TCP connections of a share CutFraction
	// of the subscribers every CutEvery while publishing (the bench closes
	// the connection the SDK dialed, as a network failure does); the SDK
	// reconnects and resubscribes with recovery, and the report adds
	// RecoveryReport. Load mode only.
	CutEvery time.Duration
	// CutFraction is the share of the subscribers cut each time, chosen at
	// random per cut (default 1: all of them).
	CutFraction float64
	// BackoffMin and BackoffMax, when either is set, are the subscribers'
	// reconnect back-off (client.WithBackoff: the n-th attempt waits a
	// random time up to min(max, min*2^n)); the one not set keeps the SDK's
	// default. Both zero leave the SDK's defaults (250 ms, 10 s).
	BackoffMin, BackoffMax time.Duration

	// Idle, when > 0, selects idle mode: connect Idle clients (each
	// subscribed to one of Channels, if any), wait Duration, and report the
	// server's memory per connection. Rate and Subscribers are ignored.
	Idle int

	// Progress receives one line per ProgressInterval; nil discards it.
	Progress io.Writer
	// ProgressInterval is how often progress is reported (default 1 s).
	ProgressInterval time.Duration
	// OnProgress, when set, is called from one goroutine every
	// ProgressInterval while publishing and draining, and once more a
	// whole interval after the drain ended (so the last point is not a
	// sliver of an interval).
	OnProgress func(Progress)

	// PublishFromSubscribers makes every subscriber publish into its own
	// channel, the channel's rate shared among them, instead of opening
	// publisher connections (the sandbox, whose apps count connections;
	// its rate per subscriber is then bounded by the caller).
	PublishFromSubscribers bool
	// AllowConnectFailures counts subscribers that fail to connect or
	// subscribe (Report.ConnectFailures) and runs with the others; the run
	// fails only when none connected. Otherwise the first failure ends it.
	AllowConnectFailures bool
}

// Progress is one progress point of a load run.
type Progress struct {
	Elapsed                   time.Duration // since publishing began
	Sent, Delivered, Expected uint64        // so far
	// Interval holds the latencies recorded since the previous point
	// (package histogram: a quantile is its bucket's upper bound).
	Interval *histogram.Histogram
}

// Defaults.
const (
	DefaultSize          = 128
	DefaultDuration      = 10 * time.Second
	DefaultGrace         = 3 * time.Second
	DefaultPublisherRate = 10
	// DefaultBackoffMin and DefaultBackoffMax are the Go SDK's reconnect
	// back-off range (client.WithBackoff).
	DefaultBackoffMin = 250 * time.Millisecond
	DefaultBackoffMax = 10 * time.Second
)

func (c Config) withDefaults() Config {
	if c.Channels == 0 && c.Idle == 0 {
		c.Channels = 1
	}
	if c.Size == 0 {
		c.Size = DefaultSize
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Grace == 0 {
		c.Grace = DefaultGrace
	}
	if c.PublisherRate == 0 {
		c.PublisherRate = DefaultPublisherRate
	}
	if c.ConnectConcurrency == 0 {
		c.ConnectConcurrency = 64
	}
	if c.CutFraction == 0 {
		c.CutFraction = 1
	}
	if c.BackoffMin > 0 || c.BackoffMax > 0 {
		if c.BackoffMin == 0 {
			c.BackoffMin = min(DefaultBackoffMin, c.BackoffMax)
		}
		if c.BackoffMax == 0 {
			c.BackoffMax = max(DefaultBackoffMax, c.BackoffMin)
		}
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	if c.ProgressInterval == 0 {
		c.ProgressInterval = time.Second
	}
	return c
}

// validate reports the first invalid field of a defaulted config.
func (c Config) validate() error {
	switch {
	case c.URL == "":
		return errors.New("bench: URL is required")
	case c.AppID == "" || c.AppCert == "":
		return errors.New("bench: app ID and app certificate are required")
	case c.Idle < 0:
		return errors.New("bench: idle connections must not be negative")
	case c.Channels < 0:
		return errors.New("bench: channels must not be negative")
	case c.Duration < 0 || c.Grace < 0:
		return errors.New("bench: duration and grace must not be negative")
	case c.PublisherRate <= 0:
		return errors.New("bench: publisher rate must be positive")
	case c.ProgressInterval < 0:
		return errors.New("bench: progress interval must not be negative")
	case c.ConnectConcurrency < 1:
		return errors.New("bench: connect concurrency must be positive")
	case c.CutEvery < 0:
		return errors.New("bench: cut interval must not be negative")
	case c.CutFraction <= 0 || c.CutFraction > 1:
		return errors.New("bench: cut fraction must be in (0, 1]")
	case c.BackoffMin < 0 || c.BackoffMax < c.BackoffMin:
		return errors.New("bench: back-off must be 0 <= min <= max")
	case c.CutEvery > 0 && c.Idle > 0:
		return errors.New("bench: connection cuts are for load mode, not idle mode")
	}
	if c.Idle > 0 {
		return nil
	}
	switch {
	case c.Subscribers < 1:
		return errors.New("bench: need at least 1 subscriber")
	case c.Channels < 1:
		return errors.New("bench: need at least 1 channel")
	case c.Channels > c.Subscribers:
		return fmt.Errorf("bench: %d channels for %d subscribers: every channel needs a subscriber", c.Channels, c.Subscribers)
	case c.Rate <= 0:
		return errors.New("bench: rate must be positive")
	case c.Size < MinPayloadBytes:
		return fmt.Errorf("bench: size must be at least %d bytes (the timestamp the latency is measured with)", MinPayloadBytes)
	}
	return nil
}

// wsURL turns an http(s) base URL into the engine's WebSocket endpoint.
func wsURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bench: URL: %w", err)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("bench: URL %q: scheme must be ws, wss, http or https", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("bench: URL %q has no host", raw)
	}
	if p := strings.TrimSuffix(u.Path, "/"); p == "" {
		u.Path = "/v1/ws"
	}
	return u.String(), nil
}
