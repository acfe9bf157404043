package engine

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// natsSetupWindow bounds how long a node's start-up waits for JetStream
// to answer a bucket or stream creation: a cluster that has just formed
// (or lost a server) can take seconds to place a replicated asset.
const natsSetupWindow = 30 * time.Second

// natsSetup runs create, the creation of a JetStream bucket or stream at
// start-up, until it succeeds, fails in a way retrying cannot mend (a
// configuration JetStream refuses), ctx ends or natsSetupWindow passes.
// Each attempt has JetStream's usual five seconds.
func natsSetup[T any](ctx context.Context, create func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, natsSetupWindow)
	defer cancel()
	wait := 100 * time.Millisecond
	for {
		actx, acancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := create(actx)
		acancel()
		if err == nil || !natsRetryable(err) || ctx.Err() != nil {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// natsRetryable reports whether err may pass once the cluster settles:
// anything but JetStream being off or an API error of a request it
// understood and refused.
func natsRetryable(err error) bool {
	if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) {
		return false
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code >= 500
	}
	return true
}
