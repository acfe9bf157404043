package engine

import "context"

type connectResult struct {
	Client         string       `json:"client"`
	User           string       `json:"user"`
	App            string       `json:"app"`
	ExpiresAt      int64        `json:"expires_at"`
	PingIntervalMS int64        `json:"ping_interval_ms"`
	PongTimeoutMS  int64        `json:"pong_timeout_ms"`
	Limits         clientLimits `json:"limits"`
}

type clientLimits struct {
	MaxMessageBytes  int     `json:"max_message_bytes"`
	PublishRate      float64 `json:"publish_rate"`
	PublishBurst     int     `json:"publish_burst"`
	MaxSubscriptions int     `json:"max_subscriptions"`
	MaxFrameBytes    int     `json:"max_frame_bytes"`
}

func (c *conn) opConnect(ctx context.Context, r *request) (any, *Error) {
	e := c.e
	if c.connected.Load() {
		return nil, errf(CodeAlreadyConnect, "already connected")
	}
	if e.closing.Load() {
		return nil, errf(CodeShuttingDown, "server is shutting down")
	}
	if r.Token == "" {
		return nil, errf(CodeBadRequest, "missing token")
	}
	if perr := r.SDK.check(); perr != nil {
		return nil, perr
	}
	now := e.now()
	claims, app, perr := parseToken(ctx, r.Token, now, e.GetApp)
	if perr != nil {
		return nil, perr
	}
	if r.App != "" && r.App != claims.App {
		return nil, errf(CodeWrongApp, "token is for app %q, not %q", claims.App, r.App)
	}
	if !validUser(claims.Subject) {
		return nil, errf(CodeTokenMalformed, "sub must be 1-%d bytes without control characters", MaxUserIDBytes)
	}
	maxConns := e.limits.MaxConnsPerApp
	if app.Limits.MaxConns > 0 {
		maxConns = app.Limits.MaxConns
	}
	limit := maxConns
	if e.clusterConns != nil {
		// The app's connections on the other nodes, as of their last
		// heartbeats, count against the limit too.
		maxConns = max(0, maxConns-e.clusterConns.remoteConns(app.ID))
	}
	rate, burst := e.publishRate(app)

	c.id = randomHex(8)
	c.app, c.user, c.claims, c.sdk = app, claims.Subject, claims, r.SDK
	c.bucket = newTokenBucket(rate, burst, now)
	c.limitsAt = now
	c.setExpiry(now, claims.ExpiresAt)

	// Under the recipient's peer lock: register, reply, then replay stored
	// peer messages, so no live peer message can overtake them.
	pl := e.peerLock(app.ID, c.user)
	pl.Lock()
	defer pl.Unlock()
	if !e.hub.register(c, app.ID, c.user, maxConns) {
		c.app = App{}
		return nil, errf(CodeTooManyConns, "app has reached its limit of %d connections", limit)
	}
	if e.peers != nil {
		// Listen for the user's messages from other nodes before the
		// replay, so none is stored after it and stranded.
		if err := e.peers.online(app.ID, c.user); err != nil {
			e.log.ErrorContext(ctx, "listen for peer messages", "app", app.ID, "err", err)
		} else {
			c.peerOnline = true
		}
	}
	c.lastPingAt.Store(now.UnixNano())
	c.usage = e.usage.of(app.ID)
	c.usage.connected()
	c.connected.Store(true)
	e.stats.connections.Add(1)
	e.stats.connects.Add(1)
	// Before the reply: the connect event comes before anything the client
	// does once it has its reply.
	if f := e.cfg.OnConnect; f != nil {
		f(ConnectEvent{AppID: app.ID, UserID: c.user, ClientID: c.id, SDK: c.sdk.Name, SDKVersion: c.sdk.Version})
	}
	c.send(encodeReply(r.ID, connectResult{
		Client: c.id, User: c.user, App: app.ID, ExpiresAt: claims.ExpiresAt.Unix(),
		PingIntervalMS: e.limits.PingInterval.Milliseconds(), PongTimeoutMS: e.limits.PongTimeout.Milliseconds(),
		Limits: clientLimits{
			MaxMessageBytes: e.limits.MaxMessageBytes, PublishRate: rate, PublishBurst: burst,
			MaxSubscriptions: e.limits.MaxSubscriptionsPerConn, MaxFrameBytes: e.limits.MaxFrameBytes,
		},
	}))
	replay := func() error { return e.offline.replay(ctx, c, now) }
	if e.peers != nil {
		replay = func() error { return e.peers.replay(ctx, c, now) }
	}
	if err := replay(); err != nil {
		e.log.ErrorContext(ctx, "replay offline peer messages", "app", app.ID, "err", err)
	}
	return nil, errNoReply
}

// publishRate is the app's per-connection publish rate and burst: its
// overrides, or the engine's limits.
func (e *Engine) publishRate(app App) (rate float64, burst int) {
	rate, burst = e.limits.PublishRate, e.limits.PublishBurst
	if app.Limits.PublishRate > 0 {
		rate = app.Limits.PublishRate
		burst = max(1, int(rate))
	}
	if app.Limits.PublishBurst > 0 {
		burst = app.Limits.PublishBurst
	}
	return rate, burst
}

type refreshResult struct {
	ExpiresAt int64 `json:"expires_at"`
}

func (c *conn) opRefresh(ctx context.Context, r *request) (any, *Error) {
	if r.Token == "" {
		return nil, errf(CodeBadRequest, "missing token")
	}
	now := c.e.now()
	claims, _, perr := parseToken(ctx, r.Token, now, c.e.GetApp)
	if perr != nil {
		return nil, perr
	}
	if claims.App != c.app.ID {
		return nil, errf(CodeWrongApp, "token is for app %q, connection is for %q", claims.App, c.app.ID)
	}
	if claims.Subject != c.user {
		return nil, errf(CodeWrongUser, "token is for user %q, connection is for %q", claims.Subject, c.user)
	}
	c.claims = claims
	c.setExpiry(now, claims.ExpiresAt)
	return refreshResult{ExpiresAt: claims.ExpiresAt.Unix()}, nil
}
