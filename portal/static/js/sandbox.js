// The sandbox: a temporary app with demo users, and virtual clients — each
// a real WebSocket connection through the JavaScript SDK — shown as cards.
// Used by the full page (/{lang}/sandbox) and the "Try it" pane beside the
// docs. State that must survive moving between docs pages is kept in
// storage: the app's credentials (localStorage, until the app expires) and
// each card's channels, stream positions, log and "Show code" steps
// (sessionStorage). Connections are made again on each page, recovering
// from the saved positions, so a message published while the reader was
// between pages arrives, marked as recovered.
import { connect } from '/sdk/v1/switchboard.js';
import { codeFor, programs } from './sandbox_code.js';
import { fmt, h } from './sandbox_base.js';
import { keepBox } from './sandbox_keep.js';

const APP_KEY = 'sb.sandbox.app';
const CARDS_KEY = 'sb.sandbox.cards';
const DEFAULT_CHANNEL = 'demo';
const LOG_MAX = 300; // entries shown per card
const LOG_SAVED = 150; // entries kept per card across pages

export function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const ta = h('textarea', { readonly: true, class: 'visually-hidden' });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  try { document.execCommand('copy'); } finally { ta.remove(); }
  return Promise.resolve();
}

/** The stored app, if it has not expired. */
export function storedApp() {
  try {
    const app = JSON.parse(localStorage.getItem(APP_KEY) || 'null');
    if (app && new Date(app.expires_at) > new Date()) return app;
  } catch { /* corrupt: start over */ }
  localStorage.removeItem(APP_KEY);
  return null;
}

/** Creates a sandbox app; rejects with the server's localized message. */
export async function createApp() {
  const r = await fetch('/api/sandbox/apps', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: '{}',
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error?.message || `HTTP ${r.status}`);
  localStorage.setItem(APP_KEY, JSON.stringify(body));
  return body;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;


/** Parses what the reader typed: JSON if it is JSON, else {text}. */
function parseData(s) {
  let v;
  try { v = JSON.parse(s); } catch { v = { text: s }; }
  if (v && typeof v === 'object' && !Array.isArray(v)) v = { ...v, sent_at: Date.now() };
  return v;
}

/** Sandbox is one mounted sandbox UI. */
export class Sandbox {
  constructor(root, cfg, { lang = 'en' } = {}) {
    this.root = root;
    this.S = cfg.Strings || {};
    this.limits = cfg.Limits || {};
    this.durations = cfg.Durations || { lang, units: {} }; // unit words for duration.js
    this.lang = lang;
    this.app = null;
    this.cards = [];
    this.listeners = new Set();
    this.waiting = []; // whenApp callers: {resolve, reject}
    this.failure = null; // why the last app could not be created, while there is none
    this.render();
    // Leaving the page: store the latest positions and log at once.
    window.addEventListener('pagehide', () => this.save(true));
  }

  t(key, vars) { return fmt(this.S[key] ?? key, vars); }

  /** onApp calls fn with the app now (if any) and whenever it changes. */
  onApp(fn) { this.listeners.add(fn); if (this.app) fn(this.app); }

  /**
   * whenApp resolves to the app, now or once it is created; it rejects with
   * the server's message when the app cannot be created (the quota), so a
   * Run button says why instead of waiting for ever.
   */
  whenApp() {
    if (this.app) return Promise.resolve(this.app);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  render() {
    const t = this.t.bind(this);
    this.status = h('p', { class: 'sb-status', role: 'status', 'aria-live': 'polite' });
    this.appBox = h('div', { class: 'sb-app-box' });
    this.userPick = h('select', { class: 'sb-user-pick', 'aria-label': t('pick_user') });
    this.cardsBox = h('div', { class: 'sb-cards' });
    this.root.replaceChildren(
      h('section', { class: 'sb-app', 'aria-label': t('app_heading') },
        h('div', { class: 'sb-app-head' },
          h('h2', {}, t('app_heading')),
          h('button', { type: 'button', class: 'button small', 'data-action': 'new-app', onclick: () => this.newApp() }, t('new_app'))),
        this.status, this.appBox),
      h('section', { class: 'sb-clients', 'aria-label': t('clients_heading') },
        h('div', { class: 'sb-clients-head' },
          h('h2', {}, t('clients_heading')),
          h('label', {}, t('pick_user'), ' ', this.userPick),
          this.addBtn = h('button', { type: 'button', class: 'button small', 'data-action': 'add-client', disabled: true, onclick: () => this.addCard(this.userPick.value, [DEFAULT_CHANNEL]) }, t('add_client'))),
        this.cardsBox));
  }

  /** start uses the stored app or creates one, then restores the cards. */
  async start() {
    const app = storedApp();
    if (app) return this.useApp(app, false);
    return this.newApp();
  }

  async newApp() {
    this.status.textContent = this.t('creating');
    try {
      const app = await createApp(); // a refused app (quota) keeps the one in use
      sessionStorage.removeItem(CARDS_KEY);
      await this.useApp(app, true);
    } catch (err) {
      this.status.textContent = err.message;
      this.status.classList.add('sb-error');
      if (!this.app) {
        this.failure = err;
        for (const w of this.waiting.splice(0)) w.reject(err);
      }
    }
  }

  async useApp(app, fresh) {
    for (const c of this.cards) c.destroy();
    this.cards = [];
    this.cardsBox.replaceChildren();
    this.app = app;
    this.status.textContent = '';
    this.status.classList.remove('sb-error');
    this.renderApp();
    this.userPick.replaceChildren(...app.users.map((u) => h('option', { value: u.user_id }, u.user_id)));
    this.addBtn.disabled = app.users.length === 0; // no users: nothing to add
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(CARDS_KEY) || 'null'); } catch { /* ignore */ }
    if (fresh || !saved || saved.app !== app.app_id) {
      saved = { app: app.app_id, cards: app.users.slice(0, 2).map((u) => ({ user: u.user_id, channels: [DEFAULT_CHANNEL] })) };
    }
    for (const c of saved.cards) if (this.user(c.user)) this.addCard(c.user, c.channels, false, c);
    this.save(true);
    this.failure = null;
    for (const w of this.waiting.splice(0)) w.resolve(app);
    for (const fn of this.listeners) fn(app);
  }

  /** save stores the cards; without now, at most once per 200 ms. */
  save(now = false) {
    if (!this.app) return;
    clearTimeout(this.saveTimer);
    if (!now) {
      this.saveTimer = setTimeout(() => this.save(true), 200);
      return;
    }
    const data = JSON.stringify({ app: this.app.app_id, cards: this.cards.map((c) => c.saved()) });
    try {
      sessionStorage.setItem(CARDS_KEY, data);
    } catch { /* storage full: the cards still work on this page */ }
  }

  user(id) { return this.app.users.find((u) => u.user_id === id); }

  renderApp() {
    const t = this.t.bind(this);
    const app = this.app;
    const copyBtn = (text, label) => h('button', {
      type: 'button', class: 'sb-copy', 'aria-label': `${t('copy')}: ${label}`, // the visible word first (WCAG 2.5.3)
      onclick: async (e) => { await copyText(text); e.target.textContent = t('copied'); setTimeout(() => { e.target.textContent = t('copy'); }, 1500); },
    }, t('copy'));
    this.countdown = h('span', { class: 'sb-countdown', 'data-expires': app.expires_at });
    const creds = JSON.stringify({ app_id: app.app_id, ws_url: app.ws_url, api_key: app.api_key, users: app.users }, null, 2);
    // The server API publishes from a backend: a curl the reader can paste.
    const apiBase = app.ws_url.replace(/^ws/, 'http').replace(/\/v1\/ws$/, '');
    const curl = app.api_key ? `curl -sS -X POST '${apiBase}/v1/api/publish' \\\n  -H 'Authorization: Bearer ${app.api_key}' \\\n`
      + `  -H 'Content-Type: application/json' \\\n  -d '{"channel": "${DEFAULT_CHANNEL}", "data": {"text": "hello from curl"}}'` : '';
    this.appBox.replaceChildren(
      h('dl', { class: 'sb-creds' },
        h('dt', {}, t('app_id')), h('dd', {}, h('code', { class: 'sb-app-id' }, app.app_id), ' ', copyBtn(app.app_id, t('app_id'))),
        h('dt', {}, t('ws_url')), h('dd', {}, h('code', {}, app.ws_url), ' ', copyBtn(app.ws_url, t('ws_url'))),
        app.api_key ? [h('dt', {}, t('api_key')), h('dd', {}, h('code', { class: 'sb-api-key' }, app.api_key), ' ', copyBtn(app.api_key, t('api_key')))] : [],
        h('dt', {}, t('expires')), h('dd', {}, this.countdown),
        h('dt', {}, t('users')), h('dd', {}, h('ul', { class: 'sb-users' }, app.users.map((u) =>
          h('li', {}, h('strong', {}, u.user_id), ' ', h('code', { class: 'sb-token', title: u.token }, u.token.slice(0, 16) + '…'), ' ',
            copyBtn(u.token, t('token_of', { user: u.user_id }))))))),
      h('p', {}, h('button', {
        type: 'button', class: 'button small', 'data-action': 'copy-all',
        onclick: async (e) => { await copyText(creds); e.target.textContent = t('copied'); setTimeout(() => { e.target.textContent = t('copy_all'); }, 1500); },
      }, t('copy_all')), ' ', h('span', { class: 'muted' }, t('copy_all_hint'))),
      curl ? h('div', { class: 'sb-curl-box' }, h('p', {}, t('curl_heading'), ' ', copyBtn(curl, t('curl_heading'))), h('pre', { class: 'sb-curl' }, h('code', {}, curl))) : '',
      app.api_key ? keepBox(this, app, () => { localStorage.removeItem(APP_KEY); sessionStorage.removeItem(CARDS_KEY); }) : '');
    clearInterval(this.timer);
    const tick = () => {
      const left = Math.max(0, new Date(app.expires_at) - Date.now());
      if (left === 0) {
        this.countdown.textContent = t('expired');
        clearInterval(this.timer);
        return;
      }
      const s = Math.floor(left / 1000);
      this.countdown.textContent = t('expires_in', { time: `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}` });
    };
    tick();
    this.timer = setInterval(tick, 1000);
  }

  addCard(user, channels, save = true, restore = null) {
    const card = new Card(this, user, channels, restore);
    this.cards.push(card);
    this.cardsBox.append(card.el);
    card.connect(restore?.positions && Object.keys(restore.positions).length ? 'restore' : 'new');
    if (save) this.save();
    return card;
  }

  removeCard(card) {
    card.destroy();
    this.cards = this.cards.filter((c) => c !== card);
    this.save();
  }
}

/** Card is one virtual client. */
class Card {
  /** restore is what saved() returned on an earlier page, if any. */
  constructor(sb, user, channels, restore = null) {
    this.sb = sb;
    this.user = user;
    this.channels = new Set(channels);
    this.subs = new Map(); // channel → Subscription
    // channel → Position, kept across disconnects and pages
    this.positions = new Map(Object.entries(restore?.positions || {}));
    this.presence = new Map(); // channel → Map(user → state)
    this.steps = Array.isArray(restore?.steps) ? restore.steps : [];
    this.entries = []; // the log, oldest first, as saved
    this.client = null;
    this.build();
    for (const e of Array.isArray(restore?.log) ? restore.log : []) this.entry(e.kind, e.text, e.latency, e.at);
  }

  /** saved is the card as sessionStorage keeps it. */
  saved() {
    for (const [ch, sub] of this.subs) this.positions.set(ch, sub.position);
    return {
      user: this.user, channels: [...this.channels], positions: Object.fromEntries(this.positions),
      steps: this.steps, log: this.entries.slice(-LOG_SAVED),
    };
  }

  t(k, v) { return this.sb.t(k, v); }

  build() {
    const t = this.t.bind(this);
    const others = this.sb.app.users.map((u) => u.user_id).filter((u) => u !== this.user);
    this.badge = h('span', { class: 'sb-badge', 'data-state': 'connecting' }, t('badge_connecting'));
    this.channelIn = h('input', { type: 'text', value: DEFAULT_CHANNEL, 'aria-label': t('channel'), class: 'sb-channel', maxlength: 64 });
    this.msgIn = h('input', { type: 'text', value: '{"text":"hello"}', 'aria-label': t('message'), class: 'sb-message' });
    this.peerTo = h('select', { 'aria-label': t('peer_to'), class: 'sb-peer-to' }, others.map((u) => h('option', { value: u }, u)));
    this.stateIn = h('input', { type: 'text', value: 'mood=happy', 'aria-label': t('state'), class: 'sb-state' });
    this.filterIn = h('input', { type: 'search', placeholder: t('filter'), 'aria-label': t('filter'), class: 'sb-filter', oninput: () => this.applyFilter() });
    this.log = h('ol', { class: 'sb-log', 'aria-live': 'polite', tabindex: '0' });
    this.presenceList = h('ul', { class: 'sb-presence' });
    this.connBtn = h('button', { type: 'button', class: 'button small', 'data-action': 'disconnect', onclick: () => this.toggleConnection() }, t('disconnect'));
    this.codeBox = h('div', { class: 'sb-code', hidden: true });
    const act = (name, label, fn) => h('button', { type: 'button', class: 'button small', 'data-action': name, onclick: () => this.run(fn) }, label);
    this.el = h('article', { class: 'sb-card', 'data-user': this.user },
      h('header', { class: 'sb-card-head' },
        h('strong', {}, this.user), this.badge, this.connBtn,
        h('button', { type: 'button', class: 'button small', 'data-action': 'show-code', 'aria-expanded': 'false', onclick: (e) => this.toggleCode(e.target) }, t('show_code')),
        h('button', { type: 'button', class: 'sb-remove', 'data-action': 'remove', 'aria-label': t('remove'), onclick: () => this.sb.removeCard(this) }, '×')),
      h('div', { class: 'sb-row' }, this.channelIn,
        act('subscribe', t('subscribe'), () => this.subscribe(this.channelIn.value.trim(), true)),
        act('unsubscribe', t('unsubscribe'), () => this.unsubscribe(this.channelIn.value.trim())),
        act('history', t('history'), () => this.history(this.channelIn.value.trim())),
        act('presence', t('presence'), () => this.fetchPresence(this.channelIn.value.trim(), true))),
      h('div', { class: 'sb-row' }, this.msgIn,
        act('publish', t('publish'), () => this.publish(this.channelIn.value.trim(), this.msgIn.value)),
        this.peerTo, act('peer', t('send_peer'), () => this.peer(this.peerTo.value, this.msgIn.value))),
      h('div', { class: 'sb-row' }, this.stateIn, act('state', t('set_state'), () => this.setState(this.channelIn.value.trim(), this.stateIn.value))),
      h('div', { class: 'sb-presence-box' }, h('span', { class: 'muted' }, t('present')), this.presenceList),
      h('div', { class: 'sb-log-head' }, this.filterIn),
      this.log, this.codeBox);
  }

  token() { return this.sb.user(this.user).token; }

  addStep(action, args) {
    this.steps.push(codeFor(action, args));
    if (!this.codeBox.hidden) this.renderCode();
    this.sb.save();
  }

  /** entry adds a line to the log; at is set for lines from an earlier page. */
  entry(kind, text, latency, at) {
    const when = at ?? Date.now();
    this.entries.push({ kind, text, latency: latency ?? null, at: when });
    if (this.entries.length > LOG_MAX) this.entries.shift();
    const li = h('li', { 'data-kind': kind, 'data-restored': at != null ? 'true' : null },
      h('time', {}, clock(new Date(when))), ' ', h('span', { class: 'sb-kind' }, this.t('kind_' + kind)), ' ',
      h('span', { class: 'sb-text' }, text),
      latency != null ? h('span', { class: 'sb-latency' }, ` ${latency} ms`) : null);
    this.log.prepend(li);
    while (this.log.children.length > LOG_MAX) this.log.lastChild.remove();
    this.applyFilter(li);
    if (at == null) this.sb.save();
  }

  applyFilter(only) {
    const f = this.filterIn.value.trim().toLowerCase();
    for (const li of only ? [only] : this.log.children) li.hidden = !!f && !li.textContent.toLowerCase().includes(f);
  }

  async run(fn) {
    try { await fn(); } catch (err) { this.entry('error', err.message || String(err)); }
  }

  /**
   * connect opens the card's connection and subscribes to its channels.
   * mode is 'new', 'reconnect' (the reader's Reconnect button) or
   * 'restore' (a new page): the last two recover from the saved positions;
   * only a reconnect is a step of the reader's program.
   */
  async connect(mode = 'new') {
    const recovering = mode !== 'new';
    const url = this.sb.app.ws_url;
    this.setBadge('connecting');
    try {
      this.client = await connect(url, this.token(), {
        app: this.sb.app.app_id,
        on: {
          peer: (m) => this.entry('peer', `${m.from} → ${JSON.stringify(m.data)}${m.offline ? ' ' + this.t('stored_note') : ''}`, latencyOf(m.data)),
          disconnect: (err) => { this.setBadge('disconnected'); this.entry('system', this.t('dropped', { reason: err.message })); },
          connect: () => this.setBadge('connected'),
          reconnecting: (e) => this.setBadge('connecting', e.attempt),
        },
      });
    } catch (err) {
      this.setBadge('disconnected');
      this.entry('error', err.message);
      return;
    }
    this.setBadge('connected');
    this.entry('system', this.t({ new: 'connected', reconnect: 'reconnected', restore: 'restored' }[mode], { client: this.client.info.clientId }));
    if (mode !== 'restore') this.addStep(recovering ? 'reconnect' : 'connect', { url, token: this.token(), channels: [...this.channels] });
    for (const ch of this.channels) await this.run(() => this.subscribe(ch, false, recovering));
  }

  setBadge(state, attempt) {
    this.badge.dataset.state = state;
    this.badge.textContent = attempt ? this.t('reconnecting', { n: attempt }) : this.t('badge_' + state);
    this.connBtn.dataset.action = this.client ? 'disconnect' : 'reconnect';
    this.connBtn.textContent = this.t(this.client ? 'disconnect' : 'reconnect');
  }

  async subscribe(channel, explicit, recovering = false) {
    if (!this.client) throw new Error(this.t('not_connected'));
    if (this.subs.has(channel)) throw new Error(this.t('already_subscribed', { channel }));
    const pos = recovering ? this.positions.get(channel) : undefined;
    // Recovered messages follow the subscribe reply; the first
    // recovery.missed messages are the ones published while away.
    let replayLeft = pos ? Infinity : 0;
    let replayed = 0;
    const sub = await this.client.subscribe(channel, {
      recover: pos,
      onMessage: (m) => {
        this.positions.set(channel, { offset: m.offset, epoch: m.epoch });
        this.sb.save();
        let note = '';
        if (replayLeft > 0) { note = ' ' + this.t('recovered_note'); replayLeft--; replayed++; }
        this.entry('message', `${m.channel} #${m.offset} ${m.from}: ${JSON.stringify(m.data)}${note}`, latencyOf(m.data));
      },
      onPresence: (e) => {
        this.entry('presence', this.t('presence_' + e.type, { user: e.user, channel: e.channel, state: JSON.stringify(e.state) }));
        const members = this.presence.get(channel) || new Map();
        if (e.type === 'leave') members.delete(e.user); else members.set(e.user, e.state || {});
        this.presence.set(channel, members);
        this.renderPresence();
      },
    });
    replayLeft = Math.max(0, (sub.recovery?.missed ?? 0) - replayed);
    this.subs.set(channel, sub);
    this.channels.add(channel);
    if (!this.positions.has(channel)) this.positions.set(channel, sub.position);
    if (pos && sub.recovery) {
      this.entry('system', this.t(sub.recovery.recovered ? 'recovered' : 'recovery_lost', { channel, n: sub.recovery.missed }));
    } else {
      this.entry('system', this.t('subscribed', { channel }));
    }
    if (!recovering) this.addStep('subscribe', { channel });
    if (explicit) this.sb.save();
    await this.fetchPresence(channel, false);
  }

  async unsubscribe(channel) {
    const sub = this.subs.get(channel);
    if (!sub) throw new Error(this.t('not_subscribed', { channel }));
    await sub.unsubscribe();
    this.subs.delete(channel);
    this.channels.delete(channel);
    this.positions.delete(channel);
    this.presence.delete(channel);
    this.renderPresence();
    this.entry('system', this.t('unsubscribed', { channel }));
    this.addStep('unsubscribe', { channel });
    this.sb.save();
  }

  async publish(channel, text) {
    if (!this.client) throw new Error(this.t('not_connected'));
    const data = parseData(text);
    const pos = await this.client.publish(channel, data);
    this.entry('action', this.t('published', { channel, offset: pos.offset }));
    this.addStep('publish', { channel, data });
  }

  async peer(to, text) {
    if (!this.client) throw new Error(this.t('not_connected'));
    const data = parseData(text);
    const r = await this.client.sendPeer(to, data);
    this.entry('action', this.t('peer_' + r.status, { user: to }));
    this.addStep('peer', { to, data });
  }

  async setState(channel, text) {
    if (!this.client) throw new Error(this.t('not_connected'));
    const state = {};
    for (const part of text.split(/[,;]/)) {
      const [k, ...v] = part.split('=');
      if (k.trim()) state[k.trim()] = v.join('=').trim();
    }
    await this.client.setState(channel, state);
    this.entry('action', this.t('state_set', { channel, state: JSON.stringify(state) }));
    this.addStep('state', { channel, state });
  }

  async history(channel) {
    if (!this.client) throw new Error(this.t('not_connected'));
    const hist = await this.client.history(channel, { limit: 20, latest: true });
    this.entry('action', this.t('history_result', { channel, n: hist.publications.length }));
    for (const m of hist.publications) this.entry('history', `${m.channel} #${m.offset} ${m.from}: ${JSON.stringify(m.data)}`);
    this.addStep('history', { channel, limit: 20 });
  }

  async fetchPresence(channel, explicit) {
    if (!this.client) throw new Error(this.t('not_connected'));
    const members = await this.client.presence(channel);
    this.presence.set(channel, new Map(members.map((m) => [m.user, m.state])));
    this.renderPresence();
    if (explicit) {
      this.entry('action', this.t('presence_result', { channel, users: members.map((m) => m.user).join(', ') || '—' }));
      this.addStep('presence', { channel });
    }
  }

  renderPresence() {
    const items = [];
    for (const [ch, members] of this.presence) {
      for (const [u, st] of members) {
        const s = Object.entries(st || {}).map(([k, v]) => `${k}=${v}`).join(', ');
        items.push(h('li', { 'data-user': u }, h('span', { class: 'sb-dot' }), `${u} (${ch})`, s ? ` · ${s}` : ''));
      }
    }
    this.presenceList.replaceChildren(...items);
  }

  async toggleConnection() {
    if (this.client) {
      const channels = [...this.channels];
      for (const [ch, sub] of this.subs) this.positions.set(ch, sub.position);
      this.client.close();
      this.client = null;
      this.subs.clear();
      this.presence.clear();
      this.renderPresence();
      this.setBadge('disconnected');
      this.entry('system', this.t('disconnected_by_you'));
      this.addStep('disconnect', { channels });
    } else {
      await this.connect('reconnect');
    }
  }

  toggleCode(btn) {
    this.codeBox.hidden = !this.codeBox.hidden;
    btn.setAttribute('aria-expanded', String(!this.codeBox.hidden));
    btn.textContent = this.t(this.codeBox.hidden ? 'show_code' : 'hide_code');
    if (!this.codeBox.hidden) this.renderCode();
  }

  renderCode() {
    const [js, go] = programs(this.steps);
    const pane = (lang, label, code) => h('div', { class: 'sb-code-pane', 'data-lang': lang },
      h('div', { class: 'sb-code-head' }, h('span', {}, label),
        h('button', { type: 'button', class: 'sb-copy', onclick: async (e) => { await copyText(code); e.target.textContent = this.t('copied'); } }, this.t('copy'))),
      h('pre', { tabindex: '0' }, h('code', {}, code))); // focusable: it scrolls
    this.codeBox.replaceChildren(pane('js', 'JavaScript', js), pane('go', 'Go', go));
  }

  destroy() {
    this.client?.close();
    this.client = null;
    this.el.remove();
  }
}

function latencyOf(data) {
  return data && typeof data === 'object' && typeof data.sent_at === 'number' ? Math.max(0, Date.now() - data.sent_at) : null;
}
