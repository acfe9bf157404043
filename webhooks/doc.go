// Package webhooks delivers an app's engine events (connect, disconnect,
// subscribe, presence, stored peer messages, optionally publications) to
// the HTTP endpoints its developers register, signed with each endpoint's
// secret.
//
// The path of an event:
//
//	engine callback → Service.Enqueue (never blocks; a bounded queue)
//	  → the outbox writer (batches; one SQLite transaction per batch)
//	  → webhook_outbox, one row per matching endpoint: the event is accepted
//	  → one deliverer per endpoint: POST, in order, retried with backoff
//
// The engine calls Service.Sync (engine.EventSync) before it acknowledges
// an action of an app with endpoints: the reply to the client's op, the
// server API's answer, the end of a disconnect. Sync returns when the
// action's events are committed, so an acknowledged action's events
// survive a kill -9. Many actions share one commit (group commit); apps
// without endpoints never wait. From the outbox on, delivery is at least
// once with a stable event ID. When the in-memory queue is full (more
// than QueueLen events of actions in flight), or an endpoint already has
// MaxPending undelivered events, the event is dropped for it and counted
// (Stats), so a slow or dead endpoint never slows the engine or another
// endpoint: the engine waits for SQLite, never for an endpoint.
package webhooks
