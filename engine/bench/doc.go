// Package bench is the load generator behind "switchboard bench": it opens
// subscriber and publisher connections to an engine over real WebSockets
// with the Go SDK (switchboard/engine/client), publishes at a fixed rate,
// measures end-to-end latency from a timestamp carried in each payload, and
// summarizes the run as a Report (one JSON line).
//
// The package can also start the switchboard binary itself as a child
// process on a free loopback port (StartServer), so that client and server
// never share a Go runtime and the server's memory can be read from /proc.
// Flag parsing lives in package main (cmd_bench.go); this package takes a
// Config.
//
// How a load run works and what the numbers mean:
//
//   - Subscriber i subscribes to channel i mod Channels; channel names are
//     fresh per run ("bench.<random>.<n>"), so runs against a shared server
//     never see each other's messages.
//   - Each channel's Rate is split into streams of at most PublisherRate
//     messages per second (default 10), and streams are packed onto
//     separate publisher connections, so that no connection exceeds the
//     engine's per-connection publish limit (60/s, burst 60, applied when
//     the server reads the request). Publishing is open-loop: a slow reply
//     does not delay the next message (up to 256 in flight per stream).
//   - A payload is {"t":<Unix ns>,"p":"xxx…"} padded to Size bytes. The
//     subscriber's handler subtracts t from its own clock: publisher and
//     subscriber are the same process, so no clock sync is involved.
//     Latencies go into the project's histogram (package histogram: 16
//     buckets per octave above 100 µs, so a percentile is its bucket's
//     upper bound, at most 4.4 % above the exact value, and never above
//     the exact maximum, which is kept too); recording does not allocate.
//   - sent counts publishes the server accepted; expected adds, for each,
//     the number of subscribers of its channel (all are subscribed before
//     publishing starts); delivered counts handler calls. The Go SDK drops
//     duplicates by offset, and a subscriber the server disconnects as a
//     slow consumer reconnects and recovers what it missed, so its late
//     messages still count (with their real latency).
//   - After publishing, the run waits until delivered reaches expected or
//     Grace (default 3 s) has passed.
//   - deliveries_per_sec is delivered divided by the time from the first
//     publish to the last delivery.
//   - server_rss_bytes is VmRSS of the server process at the end; it is 0
//     against a -url server unless its PID is given (same host only).
//
// The sandbox's load test (package sandbox) runs on Run too, with
// PublishFromSubscribers (the subscribers share their channel's rate and
// publish themselves, so a test opens no more connections than it asks
// for), AllowConnectFailures (failed subscribers are counted, not fatal)
// and OnProgress (a point every ProgressInterval with the interval's
// latencies as a histogram.Histogram, for its live charts).
//
// Cut mode (Config.CutEvery) gives each subscriber an HTTP transport that
// remembers the TCP connection it dialed, and every CutEvery while
// publishing closes that connection under a share CutFraction of them, as a
// network failure does. The SDK reconnects with its back-off (Config
// BackoffMin/BackoffMax, default the SDK's) and resubscribes with recovery;
// the bench times each cut to the subscriber's first message over the new
// connection (the SDK's dispatcher runs the connect callback and the
// handlers in order, so a message after the callback came over it), counts
// lost and duplicated offsets as the handler sees them, and adds a
// RecoveryReport. delivery_rate keeps its meaning: recovered messages count
// as delivered, with their latency from publish, outage included.
//
// Idle mode (Config.Idle) connects that many clients, optionally each
// subscribed to one of Channels, holds them for Duration, and reports the
// server's RSS before and after and (after-before)/Idle as bytes_per_conn.
//
// Both processes need one file descriptor per connection. Go raises its
// soft RLIMIT_NOFILE to the hard limit at start-up, in the bench and in the
// child server alike; Run checks that the hard limit is high enough.
package bench
