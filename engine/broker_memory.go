package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

var _ Broker = (*MemoryBroker)(nil)

// MemoryBrokerConfig configures a MemoryBroker.
type MemoryBrokerConfig struct {
	// DB, if set, makes history and stream positions durable: every
	// publication is written to SQLite before it is delivered, and streams
	// are reloaded from SQLite after a restart, so recovery works across
	// restarts. Without DB, history lives in memory only.
	DB          *sql.DB
	HistorySize int           // default 1000
	HistoryTTL  time.Duration // default 10 minutes
	Now         func() time.Time
	Logger      *slog.Logger
}

// MemoryBroker is a single-node Broker: fan-out in process, history in
// memory (write-through to SQLite when configured).
type MemoryBroker struct {
	cfg     MemoryBrokerConfig
	handler BrokerEventHandler

	mu      sync.Mutex
	streams map[ChannelID]*stream

	writer historyWriter // stores publications (with DB)
}

type stream struct {
	mu     sync.Mutex
	loaded bool
	epoch  string
	top    uint64
	pubs   []*Publication // ascending offsets, the kept history
	last   time.Time      // last use, for eviction from memory
	dead   bool           // evicted from the map; callers must look up again
	stored bool           // its engine_streams row exists
}

// NewMemoryBroker returns a MemoryBroker.
func NewMemoryBroker(cfg MemoryBrokerConfig) *MemoryBroker {
	l := Limits{HistorySize: cfg.HistorySize, HistoryTTL: cfg.HistoryTTL}.withDefaults()
	cfg.HistorySize, cfg.HistoryTTL = l.HistorySize, l.HistoryTTL
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	b := &MemoryBroker{cfg: cfg, streams: make(map[ChannelID]*stream)}
	b.writer = historyWriter{db: cfg.DB}
	return b
}

// RegisterEventHandler implements Broker.
func (b *MemoryBroker) RegisterEventHandler(h BrokerEventHandler) { b.handler = h }

// Subscribe implements Broker; a single node needs no topic subscription.
func (b *MemoryBroker) Subscribe(ChannelID) error { return nil }

// Unsubscribe implements Broker.
func (b *MemoryBroker) Unsubscribe(ChannelID) error { return nil }

// lockStream returns ch's stream, loaded and locked.
func (b *MemoryBroker) lockStream(ctx context.Context, ch ChannelID) (*stream, error) {
	var s *stream
	for {
		b.mu.Lock()
		s = b.streams[ch]
		if s == nil {
			s = &stream{}
			b.streams[ch] = s
		}
		b.mu.Unlock()
		s.mu.Lock()
		if !s.dead {
			break
		}
		s.mu.Unlock()
	}
	s.last = b.cfg.Now()
	if !s.loaded {
		if err := b.load(ctx, ch, s); err != nil {
			s.mu.Unlock()
			return nil, err
		}
		s.loaded = true
	}
	return s, nil
}

func (b *MemoryBroker) load(ctx context.Context, ch ChannelID, s *stream) error {
	if b.cfg.DB == nil {
		s.epoch = randomHex(4)
		return nil
	}
	// top_offset is the top only once the sweep has deleted the newest
	// rows; until then the highest stored offset is (migration 005).
	err := b.cfg.DB.QueryRowContext(ctx, `SELECT s.epoch, max(s.top_offset, coalesce(
			(SELECT max(h.offset) FROM engine_history h WHERE h.app_id = s.app_id AND h.channel = s.channel), 0))
		FROM engine_streams s WHERE s.app_id = ? AND s.channel = ?`,
		ch.App, ch.Name).Scan(&s.epoch, &s.top)
	if errors.Is(err, sql.ErrNoRows) {
		s.epoch, s.top = randomHex(4), 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("load stream: %w", err)
	}
	s.stored = true
	minOffset := uint64(0)
	if s.top > uint64(b.cfg.HistorySize) {
		minOffset = s.top - uint64(b.cfg.HistorySize)
	}
	rows, err := b.cfg.DB.QueryContext(ctx, `SELECT offset, data, from_user, created_at FROM engine_history
		WHERE app_id = ? AND channel = ? AND offset > ? AND created_at >= ? ORDER BY offset`,
		ch.App, ch.Name, minOffset, b.cfg.Now().Add(-b.cfg.HistoryTTL).UnixMilli())
	if err != nil {
		return fmt.Errorf("load history: %w", err)
	}
	defer rows.Close()
	s.pubs = s.pubs[:0]
	for rows.Next() {
		p := &Publication{Epoch: s.epoch}
		var data []byte
		if err := rows.Scan(&p.Offset, &data, &p.From, &p.Time); err != nil {
			return fmt.Errorf("load history: %w", err)
		}
		p.Data = json.RawMessage(data)
		p.frame = encodePub(ch.Name, p)
		s.pubs = append(s.pubs, p)
	}
	return rows.Err()
}

// Publish implements Broker.
func (b *MemoryBroker) Publish(ctx context.Context, ch ChannelID, data json.RawMessage, from string) (*Publication, error) {
	accepted := time.Now()
	s, err := b.lockStream(ctx, ch)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	now := b.cfg.Now()
	p := &Publication{Offset: s.top + 1, Epoch: s.epoch, Data: data, From: from, Time: now.UnixMilli(), accepted: accepted}
	if b.cfg.DB != nil {
		if err := b.persist(ch, s, p); err != nil {
			return nil, err
		}
	}
	p.frame = encodePub(ch.Name, p)
	s.top = p.Offset
	s.pubs = append(s.pubs, p)
	b.trim(s, now)
	if b.handler != nil {
		b.handler.HandlePublication(ch, p)
	}
	return p, nil
}

// persist stores p before it is delivered, in a transaction it may share
// with publications to other channels (see historyWriter).
func (b *MemoryBroker) persist(ch ChannelID, s *stream, p *Publication) error {
	w := &historyWrite{ch: ch, epoch: s.epoch, create: !s.stored, p: p}
	if size := uint64(b.cfg.HistorySize); p.Offset > size && p.Offset%64 == 0 {
		// Every 64th publication trims the rows beyond the history size.
		w.trimBelow = p.Offset - size
	}
	if err := b.writer.write(w); err != nil {
		return err
	}
	s.stored = true
	return nil
}

// trim drops publications beyond the size or older than the TTL.
func (b *MemoryBroker) trim(s *stream, now time.Time) {
	drop := 0
	if n := len(s.pubs) - b.cfg.HistorySize; n > 0 {
		drop = n
	}
	cutoff := now.Add(-b.cfg.HistoryTTL).UnixMilli()
	for drop < len(s.pubs) && s.pubs[drop].Time < cutoff {
		drop++
	}
	if drop > 0 {
		clear(s.pubs[:drop])
		s.pubs = s.pubs[drop:]
	}
}

// History implements Broker.
func (b *MemoryBroker) History(ctx context.Context, ch ChannelID, f HistoryFilter) (HistoryResult, error) {
	s, err := b.lockStream(ctx, ch)
	if err != nil {
		return HistoryResult{}, err
	}
	defer s.mu.Unlock()
	b.trim(s, b.cfg.Now())
	return selectHistory(StreamPosition{Offset: s.top, Epoch: s.epoch}, s.pubs, f), nil
}

// RemoveApp implements Broker.
func (b *MemoryBroker) RemoveApp(ctx context.Context, app string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch, s := range b.streams {
		if ch.App == app {
			s.mu.Lock()
			s.dead = true
			s.mu.Unlock()
			delete(b.streams, ch)
		}
	}
	if b.cfg.DB != nil {
		if _, err := b.cfg.DB.ExecContext(ctx, `DELETE FROM engine_history WHERE app_id = ?`, app); err != nil {
			return fmt.Errorf("remove app history: %w", err)
		}
		if _, err := b.cfg.DB.ExecContext(ctx, `DELETE FROM engine_streams WHERE app_id = ?`, app); err != nil {
			return fmt.Errorf("remove app streams: %w", err)
		}
	}
	return nil
}

// Sweep drops expired history (memory and SQLite) and evicts idle, empty
// streams from memory; the engine calls it periodically.
func (b *MemoryBroker) Sweep(ctx context.Context) error {
	now := b.cfg.Now()
	b.mu.Lock()
	for ch, s := range b.streams {
		s.mu.Lock()
		b.trim(s, now)
		if len(s.pubs) == 0 && now.Sub(s.last) > time.Minute && b.cfg.DB != nil {
			s.dead = true
			delete(b.streams, ch)
		}
		s.mu.Unlock()
	}
	b.mu.Unlock()
	if b.cfg.DB != nil {
		return b.sweepStored(ctx, now.Add(-b.cfg.HistoryTTL).UnixMilli())
	}
	return nil
}

// sweepStored deletes the stored publications created before cutoff (Unix
// ms). The streams whose newest rows go keep their top offset in
// engine_streams, in the same transaction, so that a reloaded stream does
// not hand out those offsets again.
func (b *MemoryBroker) sweepStored(ctx context.Context, cutoff int64) (err error) {
	tx, err := b.cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sweep history: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `UPDATE engine_streams SET top_offset = old.top
		FROM (SELECT app_id, channel, max(offset) AS top FROM engine_history WHERE created_at < ? GROUP BY app_id, channel) AS old
		WHERE engine_streams.app_id = old.app_id AND engine_streams.channel = old.channel
			AND engine_streams.top_offset < old.top`, cutoff); err != nil {
		return fmt.Errorf("sweep history: keep top offsets: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM engine_history WHERE created_at < ?`, cutoff); err != nil {
		return fmt.Errorf("sweep history: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sweep history: %w", err)
	}
	return nil
}

// Close implements Broker: it releases the history writer's connection.
func (b *MemoryBroker) Close() error {
	b.writer.close()
	return nil
}
