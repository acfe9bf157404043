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
// single-node implementations; a NATS broker can replace them without
// touching the hub.
//
// Where things are:
//
//	engine.go          Engine, New, Publish, Shutdown, the periodic sweep
//	config.go          Config, Limits and their defaults, event callbacks
//	app.go, token.go   apps (SQLite) and HS256 tokens (Claims, MintToken)
//	broker*.go         Broker; MemoryBroker with history written through to SQLite
//	presence*.go       PresenceManager; MemoryPresence
//	hub.go             this node's connections and subscriptions; fan-out
//	conn.go            one WebSocket: read loop, bounded send queue, timers
//	subscription.go    recovery buffering and acknowledged delivery
//	ops*.go, peer.go   the protocol operations; offline peer storage
//	protocol.go        frame decoding and encoding
//	ws_buffers.go      small per-connection buffers and batched writes
//
// Every published message is encoded once (Publication.Frame) and the same
// bytes are queued to every subscriber. An idle connection costs one
// goroutine and about 15 KiB of server RSS (see BenchmarkIdleConnections10k).
package engine
