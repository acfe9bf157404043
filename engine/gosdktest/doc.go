// Package gosdktest holds the end-to-end tests, benchmarks and runnable
// examples of the Go SDK against a real engine. The SDK, engine/client, is
// a module of its own whose requirements are only what its code imports;
// these tests need the engine and SQLite, so they live here, in the
// server's module, and the docs include their example regions.
package gosdktest
