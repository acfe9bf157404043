// Package engine is Switchboard's embedded real-time messaging engine: apps
// and their tokens, channels with per-channel offsets and epochs, history
// and recovery, acknowledged delivery, presence, peer messages with offline
// storage, limits, keep-alive and graceful shutdown.
//
// The wire protocol is JSON over WebSocket and is specified in PROTOCOL.md
// next to this file; its error and close codes are the constants in
// errors.go. Engine.Handler serves it; the portal mounts that handler at
// GET /v1/ws. The Go SDK is the client subpackage.
//
// Fan-out goes through the Broker interface and presence through the
// PresenceManager interface. MemoryBroker and MemoryPresence are the
// single-node implementations. On a cluster, NATSBroker (JetStream streams),
// NATSPresence (JetStream KV, cluster-wide), NATSPeers (peer routing and a
// JetStream stream for offline messages) and NATSRegistry (the shared app
// registry) replace them without touching the hub.
//
// Where things are:
//
//	engine.go          Engine, New, Publish, Shutdown, the periodic sweep
//	config.go          Config, Limits and their defaults, event callbacks
//	app.go, token.go   apps (SQLite) and HS256 tokens (Claims, MintToken)
//	broker*.go         Broker; MemoryBroker with history written through to SQLite; NATSBroker
//	registry*.go       AppRegistry; NATSRegistry
//	history_writer.go  group commit: publications share SQLite transactions
//	presence*.go       PresenceManager; MemoryPresence; NATSPresence (also node heartbeats)
//	hub.go             this node's connections and subscriptions; fan-out
//	conn.go            one WebSocket: read loop, bounded send queue, timers
//	flusher.go         the first-come-first-served line that writes send queues
//	subscription.go    recovery buffering and acknowledged delivery
//	ops*.go, peer*.go  the protocol operations; offline peer storage; NATSPeers
//	protocol.go        frame decoding and encoding
//	ws_buffers.go      small per-connection buffers for the hijacked socket
//	ws_frames.go       pre-built WebSocket frames; the socket's one writer
//	ws_raw_*.go        non-blocking write(2) for the flusher
//
// Every published message is encoded once, as a complete WebSocket frame,
// and the same bytes are queued to every subscriber. A handful of flusher
// workers write the queues; github.com/coder/websocket does the handshake,
// reading and control frames. An idle connection costs one goroutine and
// about 13-15 KiB of server RSS (see BenchmarkIdleConnections10k).
package engine
