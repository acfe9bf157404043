/**
 * Switchboard JavaScript SDK, protocol version 1.
 *
 * One ES module with no build step and no dependencies. It runs in browsers
 * and in Node 22 or later (Node 20.10+ with --experimental-websocket); pass
 * `options.WebSocket` for another WebSocket. Served at /sdk/v1/switchboard.js:
 *
 *     import { connect } from '/sdk/v1/switchboard.js';
 *     const client = await connect('wss://example.com/v1/ws', token, {
 *       getToken: () => fetch('/my/token').then((r) => r.text()),
 *     });
 *     await client.subscribe('news', { onMessage: (m) => console.log(m.data) });
 *     await client.publish('news', { text: 'hello' });
 *
 * Like the Go SDK (engine/client), the client keeps itself connected: it
 * reconnects with exponential backoff and full jitter, resubscribes with
 * recovery so handlers see every message once and in order, answers
 * keep-alive pings, and renews its token without reconnecting.
 *
 * Handlers and event listeners run one at a time, in arrival order; when one
 * returns a promise, the next waits for it. A handler that never settles
 * therefore stalls delivery. Handlers may call any client method.
 *
 * The wire protocol is described in engine/PROTOCOL.md.
 * @module switchboard
 */

/** The name this SDK sends in connect's `sdk` object. */
export const SDK_NAME = 'switchboard-js';
/** This SDK's version (semantic versioning; equal to package.json's). */
export const VERSION = '0.2.0';

const ERROR_NAMES = {
  100: 'internal', 101: 'bad_request', 102: 'unknown_op', 103: 'binary_frame',
  104: 'not_connected', 105: 'already_connected', 110: 'token_malformed',
  111: 'token_expired', 112: 'token_signature', 113: 'app_not_found',
  114: 'wrong_app', 115: 'wrong_user', 116: 'api_key_invalid', 120: 'channel_invalid',
  121: 'permission_denied', 122: 'already_subscribed', 123: 'not_subscribed',
  130: 'message_too_large', 131: 'rate_limited', 132: 'too_many_subscriptions',
  133: 'too_many_connections', 140: 'user_invalid', 141: 'state_invalid',
  150: 'shutting_down', 151: 'unavailable',
};

/** Protocol error codes by name (engine/PROTOCOL.md section 9), e.g. `ErrorCodes.token_expired === 111`. */
export const ErrorCodes = Object.freeze(Object.fromEntries(
  Object.entries(ERROR_NAMES).map(([code, name]) => [name, Number(code)])));

/** WebSocket close codes the server uses (engine/PROTOCOL.md section 10). */
export const CloseCodes = Object.freeze({
  protocol_error: 1002, frame_too_large: 1009, slow_consumer: 4001, no_pong: 4002, connect_timeout: 4003,
  app_deleted: 4004, token_expired: 4005, shutdown: 4006, user_disconnected: 4007,
});
const CLOSE_NAMES = Object.fromEntries(Object.entries(CloseCodes).map(([n, c]) => [c, n]));

/**
 * An error from the server or the connection. `code` is a protocol error
 * code (100-151), a close code (1002, 1009, 4001-4007), or 0 for errors raised by
 * the client itself; `codeName` is its name from {@link ErrorCodes} or
 * {@link CloseCodes}, or `closed`, `disconnected` or `timeout` when code is 0.
 */
export class SwitchboardError extends Error {
  /**
   * @param {number} code
   * @param {string} message
   * @param {string} [codeName] defaults to the name of code
   */
  constructor(code, message, codeName) {
    codeName ??= ERROR_NAMES[code] ?? CLOSE_NAMES[code] ?? 'unknown';
    super(`switchboard: ${message} (${codeName}${code ? ' ' + code : ''})`);
    this.name = 'SwitchboardError';
    this.code = code; // number
    this.codeName = codeName; // string
  }
}

const closedError = () => new SwitchboardError(0, 'client closed', 'closed');
const disconnectedError = (why) => new SwitchboardError(0, `disconnected before the reply: ${why}`, 'disconnected');

// Errors after which reconnecting cannot help.
const PERMANENT = new Set([110, 112, 113, 114, 115, CloseCodes.app_deleted]);

/**
 * Connects to the engine's WebSocket endpoint and authenticates with token.
 * Resolves with the connected client, or rejects with the server's error
 * (for example code 111 token_expired or 112 token_signature).
 * @param {string} url ws:// or wss:// URL of /v1/ws (http(s):// and relative URLs are converted)
 * @param {string} token JWT minted by your backend
 * @param {ClientOptions} [options]
 * @returns {Promise<Client>}
 */
export async function connect(url, token, options) {
  const client = new Client(url, token, options);
  await client.connect();
  return client;
}

/**
 * Value types, declared in switchboard.d.ts:
 * @typedef {import('./switchboard.d.ts').Info} Info
 * @typedef {import('./switchboard.d.ts').Position} Position
 * @typedef {import('./switchboard.d.ts').Message} Message
 * @typedef {import('./switchboard.d.ts').PeerMessage} PeerMessage
 * @typedef {import('./switchboard.d.ts').Receipt} Receipt
 * @typedef {import('./switchboard.d.ts').Member} Member
 * @typedef {import('./switchboard.d.ts').History} History
 * @typedef {import('./switchboard.d.ts').PresenceEvent} PresenceEvent
 */

/**
 * @typedef {object} ClientOptions
 * @property {() => Promise<string>} [getToken] returns a fresh token for the same user and app; called
 *   when the server says the token is about to expire (no reconnect) and before reconnecting with an expired token
 * @property {string} [app] App ID the token must be for (error 114 wrong_app otherwise)
 * @property {Object<string, Function>} [on] event listeners registered before connecting, by event name
 * @property {number} [minBackoff=250] first reconnect delay bound, ms
 * @property {number} [maxBackoff=10000] largest reconnect delay bound, ms
 * @property {number} [timeout=10000] how long a request waits for a connection and a reply, ms
 * @property {typeof WebSocket} [WebSocket] WebSocket implementation (default: globalThis.WebSocket)
 */

/**
 * A connection to a Switchboard engine that stays up by itself.
 *
 * Events (listen with {@link Client#on}):
 * - `connect` (info): connected or reconnected.
 * - `disconnect` (error): the connection dropped; reconnecting follows unless the client closes.
 * - `reconnecting` ({attempt, delay, error}): waiting `delay` ms before reconnect attempt `attempt`.
 * - `resubscribe` ({channel, recovered, missed}): a subscription was restored after a reconnect.
 * - `expiring` ({expiresAt}): the token expires soon; getToken is called if set.
 * - `refresh` ({expiresAt}): the token was renewed on the live connection.
 * - `peer` (PeerMessage): a message from another user.
 * - `presence` (PresenceEvent): join, leave or state change in a channel subscribed with presence.
 * - `error` (SwitchboardError | Error): a failure not tied to a call: an `error` push, a failed
 *   renewal or resubscribe, a throwing handler.
 * - `close` (error or undefined): the client stopped for good, by close() or a permanent error.
 */
export class Client {
  #url;
  #token;
  #opts;
  #WS;
  #listeners = new Map();
  #queue = Promise.resolve();
  #nextID = 0;
  #t = null; // current transport while connected
  #ready;
  #closed = false;
  #closeErr = null;
  #subs = new Map();
  #info = null;
  #shutdownDelay = 0;
  #lastOfflineID = 0;
  #wake = null;
  #connecting = null;

  /**
   * Creates an unconnected client; call {@link Client#connect} after adding listeners.
   * @param {string} url ws:// or wss:// URL of /v1/ws
   * @param {string} token JWT minted by your backend
   * @param {ClientOptions} [options]
   */
  constructor(url, token, options = {}) {
    const base = globalThis.location?.href;
    const u = base ? new URL(url, base) : new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') u.protocol = u.protocol === 'http:' ? 'ws:' : 'wss:';
    this.#url = u.href;
    this.#token = token;
    this.#opts = { minBackoff: 250, maxBackoff: 10000, timeout: 10000, ...options };
    this.#WS = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WS !== 'function') throw new TypeError('switchboard: no WebSocket implementation; pass options.WebSocket');
    for (const [event, fn] of Object.entries(options.on ?? {})) this.on(event, fn);
    this.#newReady();
  }

  /**
   * Connects and authenticates. Resolves with the connection info; rejects
   * with the server's error, after which the client is closed.
   * @returns {Promise<Info>}
   */
  connect() {
    this.#connecting ??= this.#open().then(() => this.info, (err) => {
      this.#shut(err);
      throw err;
    });
    return this.#connecting;
  }

  /**
   * Adds a listener for event (see the class description for the events).
   * @param {string} event
   * @param {Function} fn
   * @returns {this}
   */
  on(event, fn) {
    if (typeof fn !== 'function') throw new TypeError('switchboard: listener must be a function');
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(fn);
    return this;
  }

  /**
   * Removes a listener added with {@link Client#on}.
   * @param {string} event
   * @param {Function} fn
   * @returns {this}
   */
  off(event, fn) {
    this.#listeners.get(event)?.delete(fn);
    return this;
  }

  /**
   * The current (or last) connection: `{clientId, userId, appId, expiresAt: Date, limits}`,
   * or null before the first connect.
   * @type {Info | null}
   */
  get info() { return this.#info && { ...this.#info }; }

  /** Whether the client is connected right now. @type {boolean} */
  get connected() { return this.#t !== null; }

  /**
   * Subscribes to channel. Messages reach `onMessage` in offset order, at most
   * once each, across reconnects.
   * @param {string} channel 1-64 characters of A-Z a-z 0-9 _ - . : @ =
   * @param {SubscribeOptions} [options]
   * @returns {Promise<Subscription>} rejects with 120, 121, 122 or 132
   */
  async subscribe(channel, options = {}) {
    if (this.#subs.has(channel)) throw new SwitchboardError(122, `already subscribed to "${channel}"`);
    const sub = new Subscription(this, channel, options);
    this.#subs.set(channel, sub);
    try {
      const r = await this.#call('subscribe', sub._params(!!options.recover));
      sub._confirmed(r, !!options.recover);
      return sub;
    } catch (err) {
      if (this.#subs.get(channel) === sub) this.#subs.delete(channel);
      sub._stop();
      throw err;
    }
  }

  /**
   * Publishes data (any JSON value) to channel. The publisher need not be subscribed.
   * @param {string} channel
   * @param {*} data
   * @returns {Promise<Position>} the publication's position; rejects with 120, 121, 130 or 131
   */
  async publish(channel, data) {
    const r = await this.#call('publish', { channel, data: this.#checkData(data) });
    return { offset: r.offset, epoch: r.epoch };
  }

  /**
   * Sends data to another user of the same app.
   * @param {string} to recipient's user ID
   * @param {*} data any JSON value
   * @param {{store?: boolean}} [options] store: false fails with reason "offline" instead of storing
   * @returns {Promise<Receipt>} `{status: 'delivered'|'stored'|'failed', reason, messageId, expiresAt}`;
   *   rejects with 130, 131 or 140
   */
  async sendPeer(to, data, options = {}) {
    const params = { to, data: this.#checkData(data) };
    if (options.store === false) params.store = false;
    const r = await this.#call('peer', params);
    return {
      status: r.status, reason: r.reason ?? '', messageId: r.message_id ?? 0,
      expiresAt: r.expires_at ? new Date(r.expires_at * 1000) : null,
    };
  }

  /**
   * Lists the users subscribed to channel, sorted by user ID.
   * @param {string} channel
   * @returns {Promise<Member[]>} `[{user, connections, state}]`; rejects with 120 or 121
   */
  async presence(channel) {
    const r = await this.#call('presence', { channel });
    return (r.members ?? []).map((m) => ({ user: m.user, connections: m.connections, state: m.state ?? {} }));
  }

  /**
   * Replaces this user's temporary state in channel (string values only).
   * The client must be subscribed; presence subscribers get a `state` event.
   * @param {string} channel
   * @param {Object<string, string>} state
   * @returns {Promise<void>} rejects with 120, 123 or 141
   */
  async setState(channel, state) { await this.#call('set_state', { channel, state: state ?? {} }); }

  /**
   * Lists the channels (sorted) where user is currently subscribed.
   * @param {string} user
   * @returns {Promise<string[]>} rejects with 140
   */
  async whereNow(user) {
    const r = await this.#call('where_now', { user });
    return r.channels ?? [];
  }

  /**
   * Reads kept publications of channel: offsets in (since, until], at most
   * limit (default 100, max 1000), the newest ones if latest, oldest first.
   * @param {string} channel
   * @param {{since?: number, until?: number, limit?: number, latest?: boolean}} [options]
   * @returns {Promise<History>} `{position, oldest, publications}`; rejects with 120 or 121
   */
  async history(channel, options = {}) {
    const params = { channel };
    for (const k of ['since', 'until', 'limit']) if (options[k] > 0) params[k] = options[k];
    if (options.latest) params.latest = true;
    const r = await this.#call('history', params);
    return {
      position: { offset: r.offset, epoch: r.epoch },
      oldest: r.oldest,
      publications: (r.publications ?? []).map((p) => toMessage({ ...p, channel, epoch: r.epoch })),
    };
  }

  /**
   * Closes the connection and stops reconnecting. Calls in flight reject
   * with codeName `closed`.
   */
  close() { this.#shut(null); }

  // ---- connection management ----

  #newReady() {
    let resolve, reject;
    const p = new Promise((res, rej) => { resolve = res; reject = rej; });
    p.catch(() => {});
    this.#ready = { p, resolve, reject };
  }

  // #open dials, sends connect and makes the transport current.
  async #open() {
    const ws = new this.#WS(this.#url);
    const t = new Transport(ws, () => ++this.#nextID, (f) => this.#push(t, f), (err) => this.#dead(t, err), this.#opts.timeout);
    await t.opened;
    const params = { token: this.#token, sdk: { name: SDK_NAME, version: VERSION } };
    if (this.#opts.app) params.app = this.#opts.app;
    let r;
    try {
      r = await t.call('connect', params, this.#opts.timeout);
    } catch (err) {
      t.die(err);
      throw err;
    }
    if (this.#closed || t.dead) {
      t.die(closedError());
      throw this.#closed ? closedError() : disconnectedError('connection lost');
    }
    if (r.ping_interval_ms > 0) t.deadAfter = r.ping_interval_ms + r.pong_timeout_ms + 5000;
    this.#info = {
      clientId: r.client, userId: r.user, appId: r.app, expiresAt: new Date(r.expires_at * 1000),
      limits: { ...r.limits },
    };
    this.#t = t;
    this.#shutdownDelay = 0;
    this.#ready.resolve(t);
    const info = this.info;
    this.#dispatch(() => this.#emit('connect', info));
    return t;
  }

  // #dead runs once when a transport's socket is gone.
  #dead(t, err) {
    if (this.#t !== t) return; // never connected, or already replaced
    this.#t = null;
    this.#newReady();
    if (this.#closed) return;
    this.#dispatch(() => this.#emit('disconnect', err));
    if (PERMANENT.has(err.code)) this.#shut(err);
    else this.#reconnect(err);
  }

  async #reconnect(cause) {
    let needToken = cause.code === 111 || cause.code === CloseCodes.token_expired;
    const advised = this.#shutdownDelay;
    for (let attempt = 0; !this.#closed; attempt++) {
      const bound = Math.min(this.#opts.maxBackoff, this.#opts.minBackoff * 2 ** Math.min(attempt, 20));
      const delay = attempt === 0 && advised > 0 ? advised + Math.random() * advised : Math.random() * bound;
      this.#dispatch(() => this.#emit('reconnecting', { attempt: attempt + 1, delay, error: cause }));
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => { clearTimeout(timer); resolve(); };
      });
      this.#wake = null;
      if (this.#closed) return;
      try {
        if (needToken) await this.#renewToken();
        needToken = false;
        const t = await this.#open();
        this.#resubscribeAll(t);
        return;
      } catch (err) {
        if (this.#closed) return;
        cause = err;
        if (err.code === 111 && this.#opts.getToken) needToken = true;
        else if (PERMANENT.has(err.code) || err.code === 111 || err.codeName === 'token_renewal') {
          this.#shut(err);
          return;
        }
      }
    }
  }

  async #renewToken() {
    if (!this.#opts.getToken) throw new SwitchboardError(111, 'token expired and no getToken option is set');
    try {
      const token = await this.#opts.getToken();
      if (typeof token !== 'string' || token === '') throw new TypeError('getToken must return a non-empty string');
      this.#token = token;
    } catch (err) {
      throw Object.assign(new SwitchboardError(0, `getToken failed: ${err.message}`, 'token_renewal'), { cause: err });
    }
  }

  // #refreshInBand renews the token on the live connection after "expiring".
  async #refreshInBand(t) {
    try {
      await this.#renewToken();
      const r = await t.call('refresh', { token: this.#token }, this.#opts.timeout);
      const expiresAt = new Date(r.expires_at * 1000);
      if (this.#info) this.#info.expiresAt = expiresAt;
      this.#dispatch(() => this.#emit('refresh', { expiresAt }));
    } catch (err) {
      this.#dispatch(() => this.#emit('error', err));
    }
  }

  #resubscribeAll(t) {
    for (const sub of this.#subs.values()) {
      if (!sub._resumable) continue;
      t.call('subscribe', sub._params(true), this.#opts.timeout).then((r) => {
        const rec = sub._confirmed(r, true);
        const ev = { channel: sub.channel, ...rec };
        this.#dispatch(async () => {
          await sub._resubscribed(ev);
          await this.#emit('resubscribe', ev);
        });
      }, (err) => {
        if (err.code > 0) { // refused (e.g. the renewed token lost permission): stop it
          this._forget(sub);
          sub._stop();
        }
        if (err.codeName !== 'disconnected' && err.codeName !== 'closed') this.#dispatch(() => this.#emit('error', err));
      });
    }
  }

  #shut(err) {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeErr = err ?? closedError();
    this.#ready.reject(this.#closeErr);
    this.#wake?.();
    const t = this.#t;
    this.#t = null;
    t?.die(closedError(), 1000);
    for (const sub of this.#subs.values()) sub._stop();
    this.#dispatch(() => this.#emit('close', err ?? undefined));
  }

  // #transport waits until connected, the client closes, or the timeout.
  async #transport() {
    if (this.#closed) throw this.#closeErr;
    if (this.#t) return this.#t;
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new SwitchboardError(0, 'not connected in time', 'timeout')), this.#opts.timeout);
    });
    try {
      return await Promise.race([this.#ready.p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #call(op, params) {
    const t = await this.#transport();
    return t.call(op, params, this.#opts.timeout);
  }

  // #checkData refuses what cannot be sent: undefined, and data so big that
  // the frame would exceed the server's frame limit (which would cost the
  // connection rather than give error 130).
  #checkData(data) {
    if (data === undefined) throw new TypeError('switchboard: data must be a JSON value, not undefined');
    const max = this.#info?.limits?.max_frame_bytes;
    if (max) {
      const json = JSON.stringify(data);
      if (json.length * 3 + 1024 > max && new TextEncoder().encode(json).length + 1024 > max) {
        throw new SwitchboardError(130, `data is over the ${this.#info.limits.max_message_bytes} byte limit`);
      }
    }
    return data;
  }

  // ---- pushes and events ----

  #push(t, f) {
    switch (f.type) {
      case 'ping':
        t.send({ op: 'pong' });
        break;
      case 'pub': {
        const sub = this.#subs.get(f.channel);
        if (sub) this.#dispatch(() => sub._deliver(t, toMessage(f)));
        break;
      }
      case 'presence': {
        const sub = this.#subs.get(f.channel);
        if (!sub) break;
        const ev = { channel: f.channel, type: f.event, user: f.user, state: f.state ?? {} };
        this.#dispatch(async () => {
          await sub._presence(ev);
          await this.#emit('presence', ev);
        });
        break;
      }
      case 'peer': {
        const m = { from: f.from, data: f.data, time: new Date(f.time), offline: !!f.offline, messageId: f.message_id ?? 0 };
        this.#dispatch(() => this.#deliverPeer(t, m));
        break;
      }
      case 'expiring': {
        const expiresAt = new Date(f.expires_at * 1000);
        this.#dispatch(() => this.#emit('expiring', { expiresAt }));
        if (this.#opts.getToken) this.#refreshInBand(t);
        break;
      }
      case 'shutdown':
        this.#shutdownDelay = f.reconnect_after_ms ?? 0;
        break;
      case 'error': {
        const e = new SwitchboardError(f.error?.code ?? 0, f.error?.message ?? 'server error');
        this.#dispatch(() => this.#emit('error', e));
        break;
      }
    }
  }

  // Stored messages are acknowledged after the listeners settle; the same
  // stored message seen twice (a login raced a replay) is delivered once.
  async #deliverPeer(t, m) {
    if (m.offline && m.messageId <= this.#lastOfflineID) {
      t.send({ op: 'peer_ack', message_id: m.messageId });
      return;
    }
    if (m.offline) this.#lastOfflineID = m.messageId;
    await this.#emit('peer', m);
    if (m.offline) t.send({ op: 'peer_ack', message_id: m.messageId });
  }

  // #dispatch queues work so that handlers run one at a time, in order.
  #dispatch(fn) {
    this.#queue = this.#queue.then(fn).then(() => {}, async (err) => { await this.#emit('error', err); });
  }

  // #emit calls the listeners of event in order, awaiting each; it reports
  // whether all succeeded. A throwing listener is reported as an `error` event.
  async #emit(event, arg) {
    let ok = true;
    const fns = [...(this.#listeners.get(event) ?? [])];
    if (event === 'error' && fns.length === 0) console.error(arg); // never lose a failure silently
    for (const fn of fns) {
      try {
        await fn.call(this, arg);
      } catch (err) {
        ok = false;
        if (event !== 'error') await this.#emit('error', err);
      }
    }
    return ok;
  }

  /** @internal used by Subscription */
  _report(err) { return this.#emit('error', err); }

  /** @internal used by Subscription */
  _forget(sub) {
    if (this.#subs.get(sub.channel) === sub) this.#subs.delete(sub.channel);
    return this.#t;
  }
}

/**
 * @typedef {object} SubscribeOptions
 * @property {(m: Message) => (void | Promise<void>)} [onMessage] receives each publication
 * @property {boolean} [ack] acknowledged delivery: each message is acknowledged once onMessage
 *   settles; if onMessage throws or rejects, it is not acknowledged, later messages wait behind it,
 *   and the server redelivers it after its ack timeout (5 s by default)
 * @property {Position} [recover] start from a saved position, first delivering what was published after it
 * @property {boolean} [presence] receive join/leave/state events (implied by onPresence)
 * @property {(e: PresenceEvent) => void} [onPresence] receives this channel's presence events
 * @property {(r: {channel: string, recovered: boolean, missed: number}) => void} [onResubscribe]
 *   called after each automatic resubscribe; recovered false means messages were lost
 */

/** A live subscription to one channel. It survives reconnects. */
export class Subscription {
  #client;
  #opts;
  #pos = { offset: 0, epoch: '' };
  #active = true;
  #confirmed = false;
  #blockedAt = 0; // offset whose handler failed, waiting for redelivery (ack mode)
  #recovery = null;

  /** @internal created by Client#subscribe */
  constructor(client, channel, options) {
    this.#client = client;
    /** The channel name. @type {string} */
    this.channel = channel;
    this.#opts = options;
    if (options.recover) this.#pos = { offset: options.recover.offset ?? 0, epoch: options.recover.epoch ?? '' };
  }

  /**
   * Position of the last message delivered to onMessage (or the channel's
   * position at subscribe). Save it to resume later with `recover`.
   * @type {Position}
   */
  get position() { return { ...this.#pos }; }

  /**
   * Outcome of the last subscribe or resubscribe that asked for recovery:
   * `{recovered, missed}`, or null if none did.
   * @type {{recovered: boolean, missed: number} | null}
   */
  get recovery() { return this.#recovery && { ...this.#recovery }; }

  /**
   * Stops the subscription. Messages still queued are dropped.
   * @returns {Promise<void>} rejects with 120 or 123 from the server
   */
  async unsubscribe() {
    this._stop();
    const t = this.#client._forget(this);
    if (!t) return; // not connected: the server forgot it already
    try {
      await t.call('unsubscribe', { channel: this.channel }, 10000);
    } catch (err) {
      if (err.codeName !== 'disconnected' && err.codeName !== 'closed') throw err;
    }
  }

  /** @internal */
  get _resumable() { return this.#active && this.#confirmed; }

  /** @internal */
  _stop() { this.#active = false; this.#confirmed = false; }

  /** @internal the subscribe request's parameters */
  _params(recover) {
    const p = { channel: this.channel };
    if (this.#opts.ack) p.ack = true;
    if (this.#opts.presence || this.#opts.onPresence) p.presence = true;
    if (recover) Object.assign(p, { recover: true, offset: this.#pos.offset, epoch: this.#pos.epoch });
    return p;
  }

  /** @internal handles the subscribe result; the recovered messages follow it */
  _confirmed(r, recovering) {
    if (!recovering || r.epoch !== this.#pos.epoch) this.#pos = { offset: r.offset, epoch: r.epoch };
    this.#confirmed = this.#active;
    this.#blockedAt = 0;
    if (recovering) this.#recovery = { recovered: !!r.recovered, missed: r.missed ?? 0 };
    return this.#recovery;
  }

  /** @internal */
  async _resubscribed(ev) {
    if (this.#active && this.#opts.onResubscribe) await this.#opts.onResubscribe(ev);
  }

  /** @internal */
  async _presence(ev) {
    if (this.#active && this.#opts.onPresence) await this.#opts.onPresence(ev);
  }

  /** @internal runs on the client's dispatch queue */
  async _deliver(t, m) {
    const ack = this.#opts.ack;
    if (m.epoch === this.#pos.epoch && m.offset <= this.#pos.offset) {
      if (ack) t.send({ op: 'ack', channel: this.channel, offset: m.offset });
      return; // already delivered: drop, per PROTOCOL section 6
    }
    if (!this.#active) return;
    if (this.#blockedAt && m.offset > this.#blockedAt) return; // waits for the failed one's redelivery
    try {
      if (this.#opts.onMessage) await this.#opts.onMessage(m);
    } catch (err) {
      await this.#client._report(err);
      if (ack) {
        this.#blockedAt = m.offset;
        return;
      }
    }
    this.#blockedAt = 0;
    this.#pos = { offset: m.offset, epoch: m.epoch };
    if (ack) t.send({ op: 'ack', channel: this.channel, offset: m.offset });
  }
}

function toMessage(f) {
  return { channel: f.channel, offset: f.offset, epoch: f.epoch, data: f.data, from: f.from ?? '', time: new Date(f.time) };
}

// Transport is one WebSocket and its requests in flight.
class Transport {
  constructor(ws, nextID, onPush, onDead, openTimeout) {
    this.ws = ws;
    this.pending = new Map();
    this.dead = false;
    this.deadAfter = 60000;
    this.nextID = nextID;
    this.onPush = onPush;
    this.onDead = onDead;
    this.opened = new Promise((resolve, reject) => {
      ws.onopen = () => { this.alive(); resolve(); };
      this.failOpen = reject;
    });
    ws.onclose = (ev) => this.die(closeError(ev));
    ws.onmessage = (ev) => this.receive(ev.data);
    // An attempt that neither opens nor fails (a black-holed network) counts as dead too.
    this.watchdog = setTimeout(() => this.die(new SwitchboardError(0, 'WebSocket did not open in time', 'disconnected')), openTimeout);
  }

  receive(text) {
    this.alive();
    let f;
    try {
      f = JSON.parse(text);
    } catch {
      return; // not JSON: ignore, like unknown pushes
    }
    if (f.id) {
      const p = this.pending.get(f.id);
      if (!p) return;
      this.pending.delete(f.id);
      clearTimeout(p.timer);
      if (f.error) p.reject(new SwitchboardError(f.error.code, f.error.message));
      else p.resolve(f.result ?? {});
      return;
    }
    if (typeof f.type === 'string') this.onPush(f);
  }

  // alive restarts the dead-connection timer: a silence longer than the
  // ping interval plus the pong timeout means the connection is gone.
  alive() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.die(new SwitchboardError(0, 'no frames from the server', 'disconnected')), this.deadAfter);
  }

  send(frame) {
    if (this.dead) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  call(op, params, timeout) {
    if (this.dead) return Promise.reject(disconnectedError('connection lost'));
    const id = this.nextID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SwitchboardError(0, `no reply to ${op} within ${timeout} ms`, 'timeout'));
      }, timeout);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ ...params, id, op });
    });
  }

  die(err, code = 1000) {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.watchdog);
    this.failOpen(err);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err.codeName === 'closed' ? err : disconnectedError(err.message));
    }
    this.pending.clear();
    try {
      this.ws.close(code);
    } catch {
      // already closed
    }
    this.onDead(err);
  }
}

function closeError(ev) {
  if (ev.code >= 4000 || ev.code === 1009 || ev.code === 1002) return new SwitchboardError(ev.code, ev.reason || 'connection closed by the server');
  return new SwitchboardError(0, `connection closed (${ev.code}${ev.reason ? ' ' + ev.reason : ''})`, 'disconnected');
}
