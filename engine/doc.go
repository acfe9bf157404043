// Package engine is Switchboard's embedded real-time messaging engine: apps
// and their tokens, channels with per-channel offsets and epochs, history
// and recovery, acknowledged delivery, presence, peer messages with offline
// storage, limits, keep-alive and graceful shutdown.
//
// The wire protocol is JSON over WebSocket and is specified in PROTOCOL.md
// next to this file. Engine.Handler serves it; the portal mounts that
// handler at GET /v1/ws.
//
// Fan-out goes through the Broker interface and presence through the
// PresenceManager interface. MemoryBroker and MemoryPresence are the
// single-node implementations; a NATS broker can replace them without
// touching the hub.
package engine
