package engine

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// A stream's offsets go on where they stopped after a restart, also when
// the rows that held the newest offsets are gone: trimmed to the history
// size (which keeps the newest) or swept by the TTL (which can take them
// all, and must leave the top offset in engine_streams).
func TestStreamTopOffsetSurvivesTrimSweepAndRestart(t *testing.T) {
	ctx := context.Background()
	e, db := newTestEngine(t)
	a, err := e.CreateApp(ctx, "top")
	if err != nil {
		t.Fatal(err)
	}
	var trig int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'engine_history_top'`).Scan(&trig); err != nil || trig != 0 {
		t.Fatalf("engine_history_top triggers: %d, %v; want none (migration 005)", trig, err)
	}
	now := time.Now()
	clock := func() time.Time { return now }
	open := func() *MemoryBroker {
		return NewMemoryBroker(MemoryBrokerConfig{DB: db, HistorySize: 10, HistoryTTL: time.Minute, Now: clock})
	}
	publish := func(b *MemoryBroker, ch string, want uint64) {
		t.Helper()
		p, err := b.Publish(ctx, ChannelID{a.ID, ch}, json.RawMessage(`1`), "")
		if err != nil {
			t.Fatal(err)
		}
		if p.Offset != want {
			t.Fatalf("%s: offset %d, want %d", ch, p.Offset, want)
		}
	}
	b := open()
	for i := uint64(1); i <= 130; i++ { // trimmed at 64 and 128
		publish(b, "trimmed", i)
	}
	for i := uint64(1); i <= 3; i++ {
		publish(b, "swept", i)
	}
	b.Close()

	b = open()
	publish(b, "trimmed", 131)
	now = now.Add(2 * time.Minute) // every row is past the TTL
	if err := b.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM engine_history WHERE app_id = ?`, a.ID).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("%d rows after the sweep, %v; want 0", rows, err)
	}
	b.Close()

	b = open()
	defer b.Close()
	publish(b, "swept", 4)
	publish(b, "trimmed", 132)
	publish(b, "fresh", 1)
}
