// Package bench is the load generator behind "switchboard bench": it opens
// subscriber and publisher connections to an engine over real WebSockets
// with the Go SDK (switchboard/engine/client), publishes at a fixed rate,
// measures end-to-end latency from a timestamp carried in each payload, and
// summarizes the run as a Report (one JSON line).
//
// The package can also start the switchboard binary itself as a child
// process on a free loopback port (StartServer), so that client and server
// never share a Go runtime and the server's memory can be read from /proc.
//
// Flag parsing lives in package main (cmd_bench.go); this package takes a
// Config.
package bench
