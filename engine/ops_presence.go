package engine

import (
	"context"
	"encoding/json"
	"errors"
)

// joinPresence adds the subscriber to the channel's presence and reports
// whether it is the user's first connection there, which announceJoin then
// tells the channel.
func (c *conn) joinPresence(ctx context.Context, s *subscription) (first bool) {
	first, err := c.e.presence.Join(ctx, s.ch, c.user, c.id)
	if err != nil {
		c.e.log.ErrorContext(ctx, "presence join", "err", err)
		return false
	}
	if f := c.e.cfg.OnPresenceJoin; f != nil && first {
		f(PresenceEvent{AppID: s.ch.App, Channel: s.ch.Name, UserID: c.user, ClientID: c.id})
	}
	return first
}

func (c *conn) announceJoin(s *subscription) {
	c.e.hub.broadcastPresence(s.ch, encodeFrame(presencePush{Type: "presence", Channel: s.ch.Name, Event: "join", User: c.user, State: map[string]string{}}))
}

func (c *conn) leavePresence(ctx context.Context, s *subscription) {
	pl := c.e.presenceLock(s.ch)
	pl.Lock()
	defer pl.Unlock()
	last, err := c.e.presence.Leave(ctx, s.ch, c.user, c.id)
	if err != nil {
		c.e.log.ErrorContext(ctx, "presence leave", "err", err)
		return
	}
	if f := c.e.cfg.OnPresenceLeave; f != nil && last {
		f(PresenceEvent{AppID: s.ch.App, Channel: s.ch.Name, UserID: c.user, ClientID: c.id})
	}
	if last && !c.e.clusterPresence {
		c.e.hub.broadcastPresence(s.ch, encodeFrame(leavePush{Type: "presence", Channel: s.ch.Name, Event: "leave", User: c.user}))
	}
}

type presenceResult struct {
	Members []Member `json:"members"`
}

func (c *conn) opPresence(ctx context.Context, r *request) (any, *Error) {
	if err := c.checkChannel(r.Channel); err != nil {
		return nil, err
	}
	if !allowed(c.claims.Subscribe, r.Channel) {
		return nil, errf(CodePermission, "token does not allow reading %q", r.Channel)
	}
	m, err := c.e.presence.Presence(ctx, ChannelID{c.app.ID, r.Channel})
	if err != nil {
		return nil, internal(c, ctx, "presence", err)
	}
	return presenceResult{Members: m}, nil
}

func (c *conn) opSetState(ctx context.Context, r *request) (any, *Error) {
	if err := c.checkChannel(r.Channel); err != nil {
		return nil, err
	}
	c.mu.Lock()
	s := c.subs[r.Channel]
	c.mu.Unlock()
	if s == nil {
		return nil, errf(CodeNotSubscribed, "subscribe to %q before setting state there", r.Channel)
	}
	l := c.e.limits
	if r.State == nil {
		return nil, errf(CodeBadRequest, "missing state")
	}
	if len(r.State) > l.MaxStateBytes {
		return nil, errf(CodeStateInvalid, "state is %d bytes, limit is %d", len(r.State), l.MaxStateBytes)
	}
	var state map[string]string
	if err := json.Unmarshal(r.State, &state); err != nil {
		return nil, errf(CodeStateInvalid, "state must be an object of string values")
	}
	if len(state) > l.MaxStateKeys {
		return nil, errf(CodeStateInvalid, "state has %d keys, limit is %d", len(state), l.MaxStateKeys)
	}
	if state == nil {
		state = map[string]string{}
	}
	pl := c.e.presenceLock(s.ch)
	pl.Lock()
	defer pl.Unlock()
	s.holdPresence()
	defer s.releasePresence()
	if err := c.e.presence.SetState(ctx, s.ch, c.user, state); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, errf(CodeNotSubscribed, "not present in %q", r.Channel)
		}
		return nil, internal(c, ctx, "set_state", err)
	}
	// Reply first: a reply comes before the pushes its request caused.
	c.send(encodeReply(r.ID, nil))
	if !c.e.clusterPresence {
		c.e.hub.broadcastPresence(s.ch, encodeFrame(presencePush{Type: "presence", Channel: s.ch.Name, Event: "state", User: c.user, State: state}))
	}
	return nil, errNoReply
}

type whereNowResult struct {
	Channels []string `json:"channels"`
}

func (c *conn) opWhereNow(ctx context.Context, r *request) (any, *Error) {
	if !validUser(r.User) {
		return nil, errf(CodeUserInvalid, "user must be 1-%d bytes without control characters", MaxUserIDBytes)
	}
	chans, err := c.e.presence.WhereNow(ctx, c.app.ID, r.User)
	if err != nil {
		return nil, internal(c, ctx, "where_now", err)
	}
	return whereNowResult{Channels: chans}, nil
}
