// Package client is the Go SDK for Switchboard's real-time engine.
//
// Dial connects with a token minted by your backend; the client then keeps
// the connection up by itself: it reconnects with exponential backoff and
// jitter, resubscribes with recovery so no message is lost or duplicated as
// your handlers see it, answers keep-alive pings, and renews its token
// without reconnecting when you give it a TokenRefresher.
//
// Handlers run one at a time, in order, on the client's dispatch goroutine,
// so they may call other Client methods. A Client is safe for concurrent use.
//
// The wire protocol is described in engine/PROTOCOL.md.
package client
