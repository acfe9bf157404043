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
// An event is accepted once its outbox row is committed; from then on a
// crash or kill -9 loses nothing, and delivery is at least once with a
// stable event ID. Before that, the event sits in the in-memory queue:
// when that queue is full, or an endpoint already has MaxPending
// undelivered events, the event is dropped for it and counted (Stats), so
// a slow or dead endpoint never slows the engine or another endpoint.
package webhooks
