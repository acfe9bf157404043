package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AppRegistry shares the app registry between the nodes of a cluster.
// Every node keeps its own SQLite copy of the apps and their API key
// hashes; the registry carries each change to every node, which applies it
// to its copy. NATSRegistry is the implementation on a JetStream KV bucket.
type AppRegistry interface {
	// Put stores rec for every node.
	Put(ctx context.Context, rec AppRecord) error
	// Delete removes the app for every node.
	Delete(ctx context.Context, appID string) error
	// Watch calls apply for every app the registry holds, then returns;
	// after that it keeps calling apply for every change until ctx ends.
	// Deleted apps come with Deleted set. apply is called from one
	// goroutine at a time.
	Watch(ctx context.Context, apply func(AppRecord)) error
}

// AppRecord is one app as the registry carries it: the app without its
// API key (App.APIKey is empty) and its key hashes.
type AppRecord struct {
	App     App         `json:"app"`
	Keys    []APIKeyRow `json:"keys,omitempty"`
	Deleted bool        `json:"-"`
}

// APIKeyRow is a stored API key: its hash, never the key.
type APIKeyRow struct {
	Hash      string `json:"hash"`
	Prefix    string `json:"prefix"`
	CreatedAt int64  `json:"created_at"` // Unix ms
	ExpiresAt int64  `json:"expires_at"` // Unix ms; 0 = current key
}

// startRegistry applies the registry's apps to this node's database, and
// then follows its changes until the engine shuts down.
func (e *Engine) startRegistry(ctx context.Context) error {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() { <-e.stop; cancel() }()
	if err := e.cfg.Registry.Watch(wctx, func(rec AppRecord) { e.applyRecord(wctx, rec) }); err != nil {
		cancel()
		return fmt.Errorf("engine: app registry: %w", err)
	}
	return nil
}

// applyRecord makes this node's copy of an app match the registry.
func (e *Engine) applyRecord(ctx context.Context, rec AppRecord) {
	id := rec.App.ID
	if rec.Deleted {
		if err := e.deleteLocal(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
			e.log.ErrorContext(ctx, "app registry: delete", "app", id, "err", err)
		}
		return
	}
	if err := e.upsertLocal(ctx, rec); err != nil {
		e.log.ErrorContext(ctx, "app registry: apply", "app", id, "err", err)
		return
	}
	e.apps.forget(id)
	// A key looked up before it arrived is cached as unknown: forget
	// those too, or a new key would fail for up to AppCacheTTL.
	e.apps.forgetUnknownKeys()
}

func (e *Engine) upsertLocal(ctx context.Context, rec AppRecord) error {
	a := rec.App
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// An upsert, not INSERT OR REPLACE: a replaced row would cascade to the
	// app's stored data.
	if _, err := tx.ExecContext(ctx, `INSERT INTO engine_apps (id, name, certificate, created_at, max_conns, publish_rate, publish_burst, api_rate)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, certificate = excluded.certificate,
		max_conns = excluded.max_conns, publish_rate = excluded.publish_rate, publish_burst = excluded.publish_burst, api_rate = excluded.api_rate`,
		a.ID, a.Name, a.Certificate, a.CreatedAt.UnixMilli(), a.Limits.MaxConns, a.Limits.PublishRate, a.Limits.PublishBurst, a.Limits.APIRate); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM engine_api_keys WHERE app_id = ?`, a.ID); err != nil {
		return err
	}
	for _, k := range rec.Keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO engine_api_keys (key_hash, app_id, prefix, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			k.Hash, a.ID, k.Prefix, k.CreatedAt, k.ExpiresAt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// shareApp puts this node's copy of an app in the registry after a change
// (no-op without a registry).
func (e *Engine) shareApp(ctx context.Context, id string) error {
	if e.cfg.Registry == nil {
		return nil
	}
	a, err := scanApp(e.db.QueryRowContext(ctx, `SELECT `+appColumns+` FROM engine_apps WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("share app %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("share app: %w", err)
	}
	rec := AppRecord{App: a}
	rows, err := e.db.QueryContext(ctx, `SELECT key_hash, prefix, created_at, expires_at FROM engine_api_keys WHERE app_id = ? ORDER BY created_at`, id)
	if err != nil {
		return fmt.Errorf("share app: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k APIKeyRow
		if err := rows.Scan(&k.Hash, &k.Prefix, &k.CreatedAt, &k.ExpiresAt); err != nil {
			return fmt.Errorf("share app: %w", err)
		}
		rec.Keys = append(rec.Keys, k)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("share app: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := e.cfg.Registry.Put(ctx, rec); err != nil {
		return fmt.Errorf("share app: %w", err)
	}
	return nil
}
