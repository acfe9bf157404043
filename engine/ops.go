package engine

import (
	"context"
	"encoding/json"
	"errors"
)

// opFunc handles one request and returns its result or a protocol error.
// A nil result with a nil error means the op sent its own reply (or none).
type opFunc func(c *conn, ctx context.Context, r *request) (any, *Error)

// ops is the one table of client operations (PROTOCOL.md section 4).
var ops = map[string]opFunc{
	"connect":     (*conn).opConnect,
	"refresh":     (*conn).opRefresh,
	"subscribe":   (*conn).opSubscribe,
	"unsubscribe": (*conn).opUnsubscribe,
	"publish":     (*conn).opPublish,
	"history":     (*conn).opHistory,
	"presence":    (*conn).opPresence,
	"set_state":   (*conn).opSetState,
	"where_now":   (*conn).opWhereNow,
	"peer":        (*conn).opPeer,
	"ack":         (*conn).opAck,
	"peer_ack":    (*conn).opPeerAck,
	"pong":        (*conn).opPong,
}

// errNoReply is returned by ops that have already queued their reply.
var errNoReply = &Error{Code: -1}

func (c *conn) handleFrame(ctx context.Context, b []byte) {
	r, perr := decodeRequest(b)
	if perr != nil {
		id := uint64(0)
		if r != nil {
			id = r.ID
		}
		c.sendError(id, perr)
		return
	}
	op, ok := ops[r.Op]
	if !ok {
		c.sendError(r.ID, errf(CodeUnknownOp, "unknown op %q", clip(r.Op, 64)))
		return
	}
	if r.Op != "connect" && !c.connected.Load() {
		c.sendError(r.ID, errf(CodeNotConnected, "send connect first"))
		return
	}
	res, err := op(c, ctx, r)
	switch {
	case err == errNoReply:
	case opsWithoutID[r.Op]:
		if err != nil {
			c.sendError(0, err)
		}
	case err != nil:
		c.sendError(r.ID, err)
	default:
		c.send(encodeReply(r.ID, res))
	}
}

func (c *conn) opPong(context.Context, *request) (any, *Error) {
	c.pingSentAt.Store(0)
	return nil, nil
}

// checkData validates a publish/peer data field.
func (c *conn) checkData(data json.RawMessage) *Error {
	if data == nil {
		return errf(CodeBadRequest, "missing data")
	}
	if len(data) > c.e.limits.MaxMessageBytes {
		return errf(CodeMessageTooLarge, "data is %d bytes, limit is %d", len(data), c.e.limits.MaxMessageBytes)
	}
	return nil
}

func (c *conn) checkRate(ctx context.Context) *Error {
	now := c.e.now()
	if now.Sub(c.limitsAt) >= AppCacheTTL {
		// Pick up "apps set" on open connections too, within AppCacheTTL.
		c.limitsAt = now
		if a, err := c.e.GetApp(ctx, c.app.ID); err == nil {
			rate, burst := c.e.publishRate(a)
			c.bucket.setRate(rate, burst)
		}
	}
	if !c.bucket.allow(now) {
		return errf(CodeRateLimited, "publish rate exceeded: %g/s, burst %d", c.bucket.rate, int(c.bucket.burst))
	}
	return nil
}

func (c *conn) checkChannel(name string) *Error {
	if !ValidChannel(name) {
		return errf(CodeChannelInvalid, "channel must be 1-%d bytes of A-Z a-z 0-9 _ - . : @ =", MaxChannelBytes)
	}
	return nil
}

func internal(c *conn, ctx context.Context, op string, err error) *Error {
	if u := AsUnavailable(err); u != nil {
		c.e.log.WarnContext(ctx, "engine op failed", "op", op, "app", c.app.ID, "err", err)
		return u
	}
	c.e.log.ErrorContext(ctx, "engine op failed", "op", op, "app", c.app.ID, "err", err)
	return errf(CodeInternal, "internal error")
}

// AsUnavailable returns the "unavailable" (151) error in err's chain, or
// nil: the one failure a client is told about beyond "internal", since it
// means retry shortly (NATS is down or unreachable) rather than a bug.
func AsUnavailable(err error) *Error {
	var e *Error
	if errors.As(err, &e) && e.Code == CodeUnavailable {
		return e
	}
	return nil
}
