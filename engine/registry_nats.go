package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var _ AppRegistry = (*NATSRegistry)(nil)

// NATSRegistryBucket is the JetStream KV bucket of the app registry: one
// key per app ID, holding its AppRecord as JSON (certificate and key
// hashes included, so NATS must be secured like the database).
const NATSRegistryBucket = "sb_apps"

// NATSRegistry is an AppRegistry on a JetStream KV bucket.
type NATSRegistry struct {
	kv jetstream.KeyValue
}

// NewNATSRegistry opens (creating it if needed) the registry bucket with
// the given replica count (default 1).
func NewNATSRegistry(ctx context.Context, nc *nats.Conn, replicas int) (*NATSRegistry, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("app registry: %w", err)
	}
	kv, err := natsSetup(ctx, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: NATSRegistryBucket, History: 1, Replicas: max(1, replicas)})
	})
	if err != nil {
		return nil, fmt.Errorf("app registry: %w", unavailable(err))
	}
	return &NATSRegistry{kv: kv}, nil
}

// Put implements AppRegistry.
func (r *NATSRegistry) Put(ctx context.Context, rec AppRecord) error {
	rec.App.APIKey = ""
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("app registry: %w", err)
	}
	if _, err := r.kv.Put(ctx, rec.App.ID, data); err != nil {
		return fmt.Errorf("app registry: put %s: %w", rec.App.ID, unavailable(err))
	}
	return nil
}

// Delete implements AppRegistry.
func (r *NATSRegistry) Delete(ctx context.Context, appID string) error {
	if err := r.kv.Delete(ctx, appID); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("app registry: delete %s: %w", appID, unavailable(err))
	}
	return nil
}

// Watch implements AppRegistry.
func (r *NATSRegistry) Watch(ctx context.Context, apply func(AppRecord)) error {
	w, err := r.kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("app registry: watch: %w", unavailable(err))
	}
	handle := func(e jetstream.KeyValueEntry) {
		if e.Operation() != jetstream.KeyValuePut {
			apply(AppRecord{App: App{ID: e.Key()}, Deleted: true})
			return
		}
		var rec AppRecord
		if err := json.Unmarshal(e.Value(), &rec); err != nil || rec.App.ID != e.Key() {
			return // not an app record: leave the node's copy alone
		}
		apply(rec)
	}
	for {
		select {
		case <-ctx.Done():
			w.Stop()
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("app registry: watch ended")
			}
			if e == nil { // the current apps are all applied
				go func() {
					defer w.Stop()
					for {
						select {
						case <-ctx.Done():
							return
						case e, ok := <-w.Updates():
							if !ok {
								return
							}
							if e != nil {
								handle(e)
							}
						}
					}
				}()
				return nil
			}
			handle(e)
		}
	}
}
