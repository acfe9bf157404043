package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/switchboard-rtm/switchboard/engine"
)

// Close without Shutdown (a failed Run, a command's Main) still stops the
// engine before the database closes: its background sweeps used to run
// on, logging "sql: database is closed" every minute.
func TestMainCloseStopsEngine(t *testing.T) {
	m := NewMain(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), SkipDemo: true}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	e := m.Engine
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Shutdown(context.Background()); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("after Close the engine's Shutdown says %v, want engine.ErrClosed (it was still running)", err)
	}
}
