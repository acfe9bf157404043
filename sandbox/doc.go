// Package sandbox gives evaluators a throw-away engine app without signing
// up: Service.CreateApp makes a real, isolated engine app with demo users
// and tokens, limits how many apps one client IP may create, and deletes
// each app with all its data when it expires. It also runs bounded load
// tests against a sandbox app, on the engine's load generator
// (engine/bench: the Go SDK over real WebSockets), and stores their
// reports.
//
// The package knows nothing of HTTP pages; portal maps its errors to
// statuses.
package sandbox
